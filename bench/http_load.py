"""A lean HTTP/1.1 keep-alive client for the load generators.

The benchmarks run the load generator on the same two cores as the system it measures. aiohttp's
client took about 0.5 ms of CPU per request there (bench output, "load generator"), CPU taken from
the gateway. This writes a prepared request and reads a `Content-Length` answer on one kept-alive
connection: the little a closed-loop client needs. Anything else (chunked answers, a closed
connection) is an error, never a silent retry.
"""

from __future__ import annotations

import asyncio


class ProtocolError(RuntimeError):
    pass


class Connection:
    def __init__(
        self, host: str, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.host, self.port = host, port
        self._reader, self._writer = reader, writer
        self.server_timing: str | None = None  # the last answer's Server-Timing header, if it had one

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(host, port, reader, writer)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        return await self._answer()

    async def _answer(self) -> tuple[int, bytes]:
        try:
            lines = (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        except asyncio.IncompleteReadError as error:
            raise ProtocolError("the server closed the connection") from error
        status = int(lines[0].split(" ", 2)[1])
        fields = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        self.server_timing = fields.get("server-timing")
        if "content-length" not in fields:
            raise ProtocolError(f"answer without Content-Length: {lines[0]}")
        return status, await self._reader.readexactly(int(fields["content-length"]))

    def close(self) -> None:
        self._writer.close()
