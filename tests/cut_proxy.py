"""A TCP proxy in front of PostgreSQL that the tests can cut like a network partition: the connections
stay open, but nothing passes either way (no reset, no FIN), as when a cable is pulled."""

from __future__ import annotations

import asyncio
import os

from infra.devstack.local_kafka import free_port
from infra.kernel.database import PostgresAddress


class CutProxy:
    def __init__(self, database_url: str) -> None:
        self.target = PostgresAddress.parse(database_url)
        self.port = free_port()
        self.cut = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        return PostgresAddress(
            "127.0.0.1", self.port, self.target.user, self.target.password, self.target.dbname
        ).url

    async def __aenter__(self) -> CutProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()

    async def _open_target(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.target.host.startswith("/"):
            return await asyncio.open_unix_connection(
                os.path.join(self.target.host, f".s.PGSQL.{self.target.port}")
            )
        return await asyncio.open_connection(self.target.host, self.target.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut.is_set():
            return  # a new connection while cut hangs as well: it is never answered
        target_reader, target_writer = await self._open_target()
        self._writers += [writer, target_writer]
        await asyncio.gather(self._pipe(reader, target_writer), self._pipe(target_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            if self.cut.is_set():
                await asyncio.Event().wait()  # hold everything: the peer sees silence, not a close
            writer.write(data)
            await writer.drain()
        writer.close()
