"""A TCP proxy that the fault tests put between processes and PostgreSQL or Kafka, and break on purpose:

- `cut()`: a network partition. Connections stay open but nothing passes either way (no reset, no FIN),
  as when a cable is pulled; a new connection is accepted and never answered.
- `delay(seconds)`: every chunk waits that long before it is passed on (a slow or congested link).
- `drop()`: every open connection is reset at once (a middlebox or a peer that restarted).
- `heal()`: traffic passes again. Connections held by a cut are reset, as the far side would answer
  packets for a connection it has forgotten; callers reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct

from infra.devstack.local_kafka import free_port


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host, self.target_port = target_host, target_port
        self.port = free_port()
        self.latency = 0.0
        self._cut = False
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def __aenter__(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        self._server.close()
        self.drop()

    def cut(self) -> None:
        self._cut = True

    def delay(self, seconds: float) -> None:
        self.latency = seconds

    def drop(self) -> None:
        for link in list(self._links):
            link.reset()

    def heal(self) -> None:
        held = self._cut
        self._cut, self.latency = False, 0.0
        if held:
            self.drop()

    async def _open_target(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.target_host.startswith("/"):  # PostgreSQL's Unix socket directory
            path = os.path.join(self.target_host, f".s.PGSQL.{self.target_port}")
            return await asyncio.open_unix_connection(path)
        return await asyncio.open_connection(self.target_host, self.target_port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        link = _Link(writer)
        self._links.add(link)
        try:
            if self._cut:
                await link.closed.wait()  # accepted, never answered
                return
            try:
                target_reader, target_writer = await self._open_target()
            except OSError:
                link.reset()  # the server is down: the caller sees its connection refused
                return
            link.writers.append(target_writer)
            pipes = [
                asyncio.ensure_future(self._pipe(reader, target_writer, link)),
                asyncio.ensure_future(self._pipe(target_reader, writer, link)),
            ]
            closed = asyncio.ensure_future(link.closed.wait())
            await asyncio.wait([*pipes, closed], return_when=asyncio.FIRST_COMPLETED)
            for task in [*pipes, closed]:
                task.cancel()
            link.reset()
        finally:
            self._links.discard(link)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link) -> None:
        while data := await reader.read(65536):
            if self._cut:
                await link.closed.wait()  # hold everything: the peer sees silence, not a close
                return
            if self.latency:
                await asyncio.sleep(self.latency)
            writer.write(data)
            await writer.drain()


class _Link:
    """Both sides of one proxied connection."""

    def __init__(self, client: asyncio.StreamWriter) -> None:
        self.writers = [client]
        self.closed = asyncio.Event()

    def reset(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        for writer in self.writers:
            sock = writer.get_extra_info("socket")
            if sock is not None and sock.family != socket.AF_UNIX and not writer.transport.is_closing():
                # Linger 0: the close sends a reset, not a FIN, as a forgotten connection gets.
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()


def postgres_proxy(database_url: str) -> tuple[FaultProxy, str]:
    """A proxy in front of the server at `database_url`, and the URL that goes through it."""
    from infra.kernel.database import PostgresAddress

    target = PostgresAddress.parse(database_url)
    proxy = FaultProxy(target.host, target.port)
    url = PostgresAddress("127.0.0.1", proxy.port, target.user, target.password, target.dbname).url
    return proxy, url
