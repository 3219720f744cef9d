"""Held statements on a real PostgreSQL: reads see earlier writes, and a failing held statement fails the batch."""

from __future__ import annotations

import asyncpg
import pytest

from projections.statement_runs import StatementRuns
from tests.support import fresh_settings


@pytest.fixture
async def conn():
    conn = await asyncpg.connect(fresh_settings(kafka=False).database_url)
    await conn.execute("CREATE TEMP TABLE ledger (id int PRIMARY KEY, amount numeric NOT NULL)")
    yield conn
    await conn.close()


async def test_reads_and_later_statements_see_every_held_write(conn):
    async with conn.transaction():
        runs = StatementRuns(conn)
        for n in range(1, 201):
            await runs.execute("INSERT INTO ledger (id, amount) VALUES ($1, $2)", n, n)
        await runs.execute("UPDATE ledger SET amount = amount * 10 WHERE id = $1", 7)
        assert await runs.fetchval("SELECT sum(amount) FROM ledger") == sum(range(1, 201)) + 63
        await runs.execute("DELETE FROM ledger WHERE id = $1", 200)
        await runs.execute("DELETE FROM ledger WHERE id = $1", 199)
        await runs.flush()
    assert await conn.fetchval("SELECT count(*) FROM ledger") == 198
    assert await conn.fetchval("SELECT amount FROM ledger WHERE id = 7") == 70


async def test_a_failing_held_statement_fails_the_batch_and_writes_nothing(conn):
    with pytest.raises(asyncpg.UniqueViolationError):
        async with conn.transaction():
            runs = StatementRuns(conn)
            for n in (1, 2, 2, 3):
                await runs.execute("INSERT INTO ledger (id, amount) VALUES ($1, $2)", n, n)
            await runs.flush()
    assert await conn.fetchval("SELECT count(*) FROM ledger") == 0
