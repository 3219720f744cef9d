"""A run of one statement goes out as one `executemany`; anything else sends the held run first."""

from __future__ import annotations

from projections.statement_runs import StatementRuns


class RecordingConnection:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    async def execute(self, sql, *args):
        self.calls.append(("execute", sql, args))

    async def executemany(self, sql, rows):
        self.calls.append(("executemany", sql, list(rows)))

    async def fetch(self, sql, *args):
        self.calls.append(("fetch", sql, args))
        return []

    async def fetchrow(self, sql, *args):
        self.calls.append(("fetchrow", sql, args))

    async def fetchval(self, sql, *args):
        self.calls.append(("fetchval", sql, args))


async def test_a_run_of_one_statement_is_sent_once_and_in_order():
    conn = RecordingConnection()
    runs = StatementRuns(conn)
    for n in (1, 2, 3):
        await runs.execute("INSERT a", n)
    await runs.execute("UPDATE b", 2)
    await runs.execute("INSERT a", 4)
    assert conn.calls == [("executemany", "INSERT a", [(1,), (2,), (3,)]), ("execute", "UPDATE b", (2,))]
    await runs.fetchval("SELECT c", 9)
    await runs.flush()
    assert conn.calls == [
        ("executemany", "INSERT a", [(1,), (2,), (3,)]),
        ("execute", "UPDATE b", (2,)),
        ("execute", "INSERT a", (4,)),
        ("fetchval", "SELECT c", (9,)),
    ]


async def test_every_read_and_bulk_write_sends_the_held_run_first():
    for method, args in (
        ("fetch", ("q",)),
        ("fetchrow", ("q",)),
        ("fetchval", ("q",)),
        ("executemany", ("q", [(1,)])),
        ("execute", ("DDL",)),
    ):
        conn = RecordingConnection()
        runs = StatementRuns(conn)
        await runs.execute("INSERT a", 1)
        await getattr(runs, method)(*args)
        assert conn.calls[0] == ("execute", "INSERT a", (1,)), method
        assert len(conn.calls) == 2, method


async def test_nothing_held_nothing_sent():
    conn = RecordingConnection()
    await StatementRuns(conn).flush()
    assert conn.calls == []
