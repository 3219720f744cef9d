"""A batch's connection that sends a run of one statement as one pipelined `executemany`.

A billing run's batch holds hundreds of InvoiceIssued events, and each is one INSERT: one round
trip apiece, and every round trip waits for a shared core. Here consecutive `execute(sql, *args)`
calls with the same `sql` are held back, and sent together when anything else reaches the
connection (another statement, a read) or when the batch ends. Statements still run in the order
the handlers issued them, so every read sees every earlier write.

What a held statement returns is not known when it is issued: `execute` returns None, and an error
surfaces at the next call or at the end of the batch. Either way the batch's transaction fails
as a whole, as it did before. Held arguments are sent as they are when the run goes out, so a
handler must not change an argument after passing it (the handlers build them from the event).
"""

from __future__ import annotations

from typing import Any, Iterable

import asyncpg


class StatementRuns:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self._sql: str | None = None
        self._rows: list[tuple] = []

    async def execute(self, sql: str, *args: Any) -> None:
        if not args:  # no parameters (DDL, scripts): nothing to pipeline
            await self.flush()
            await self._conn.execute(sql)
            return
        if sql != self._sql:
            await self.flush()
            self._sql = sql
        self._rows.append(args)

    async def flush(self) -> None:
        """Sends the held run, if any."""
        if self._sql is None:
            return
        sql, rows = self._sql, self._rows
        self._sql, self._rows = None, []
        if len(rows) == 1:
            await self._conn.execute(sql, *rows[0])
        else:
            await self._conn.executemany(sql, rows)

    async def executemany(self, sql: str, rows: Iterable[tuple]) -> None:
        await self.flush()
        await self._conn.executemany(sql, rows)

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        await self.flush()
        return await self._conn.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        await self.flush()
        return await self._conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        await self.flush()
        return await self._conn.fetchval(sql, *args)
