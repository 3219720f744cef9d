"""Aging benchmark: `GET /aging`'s query over a register of a million invoices, today and as of a past day,
against a baseline measured in the same run: one plain pass summing what the open invoices owe.

The register is written straight into the read model's tables (SQL, in the database): the bench measures
the query, which reads only those tables; filling them through a million billed invoices would take the
billing bench's time for nothing more. Twelve monthly periods, 60 % paid on time, 10 % in part, the rest open.

    python -m infra.devstack.local_stack --postgres -- python bench/aging.py --invoices 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import asyncpg
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from projections import invoice_register  # noqa: E402
from projections.projector import migrate  # noqa: E402
from projections.receivables_aging import aging  # noqa: E402
from tests.support import fresh_settings  # noqa: E402

TODAY = date(2026, 12, 7)
PAST = date(2026, 9, 30)  # a past quarter end: settlements after it must be added back
PERIODS = 12

FILL = f"""
INSERT INTO {invoice_register.TABLE} (invoice_id, number, client_id, period, run_id, issue_date, due_date,
    vat_rate, net, tax, gross, paid, open_balance, status, services, offer_ids, lines, issued_at, updated_at,
    version)
SELECT md5('invoice' || n)::uuid, 'FAC-' || n, md5('client' || (n / $1))::uuid,
    to_char(date '2025-12-01' + make_interval(months => (n % $1)::int), 'YYYY-MM'), md5('run' || (n % $1))::uuid,
    date '2025-12-02' + make_interval(months => (n % $1)::int),
    date '2025-12-17' + make_interval(months => (n % $1)::int),
    0.2, 99.00, 19.80, 118.80,
    CASE WHEN n % 10 < 6 THEN 118.80 WHEN n % 10 = 6 THEN 50.00 ELSE 0 END,
    CASE WHEN n % 10 < 6 THEN 0 WHEN n % 10 = 6 THEN 68.80 ELSE 118.80 END,
    CASE WHEN n % 10 < 6 THEN 'paid' WHEN n % 10 = 6 THEN 'partially_paid' ELSE 'issued' END,
    '{{mobile}}', ARRAY[md5('offer' || (n % 20))::uuid], '[]', now(), now(), 1
FROM generate_series(0, $2 - 1) AS n
"""
SETTLE = f"""
INSERT INTO {invoice_register.SETTLEMENTS} (invoice_id, client_id, on_date, amount)
SELECT invoice_id, client_id, due_date - (hashtext(number) & 7), paid FROM {invoice_register.TABLE} WHERE paid > 0
"""
TOTALS = f"""
INSERT INTO {invoice_register.OPEN_BY_DUE_DATE}
SELECT due_date, issue_date, sum(open_balance) FROM {invoice_register.TABLE} GROUP BY 1, 2;
INSERT INTO {invoice_register.SETTLED_BY_DAY}
SELECT s.on_date, i.due_date, i.issue_date, sum(s.amount)
FROM {invoice_register.SETTLEMENTS} s JOIN {invoice_register.TABLE} i USING (invoice_id) GROUP BY 1, 2, 3
"""
BASELINE = (
    f"SELECT sum(open_balance) FROM {invoice_register.TABLE} WHERE open_balance > 0 AND issue_date <= $1"
)


async def fill(conn: asyncpg.Connection, invoices: int) -> float:
    started = time.perf_counter()
    await migrate(conn, [invoice_register.PROJECTION])
    await conn.execute(invoice_register.PROJECTION.ddl)
    await conn.execute(f"TRUNCATE {invoice_register.OPEN_BY_DUE_DATE}")
    await conn.execute(FILL, PERIODS, invoices)  # invoice n: client n / 12, period n % 12
    await conn.execute(SETTLE)
    await conn.execute(TOTALS)
    await conn.execute("VACUUM ANALYZE")
    owed = await aging(conn, PAST)  # the fast path, checked against the whole register read the slow way
    slow = await _from_settlements_report(conn)
    if owed["portfolio"] != slow:
        raise SystemExit(f"aging as of {PAST} differs: {owed['portfolio']} != {slow}")
    await conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


async def _from_settlements_report(conn: asyncpg.Connection) -> dict:
    """The portfolio as of PAST from every invoice and settlement (the path for filtered reports)."""
    from projections.receivables_aging import _add, _buckets, _from_settlements, _owed_on_sql

    async with conn.transaction(isolation="repeatable_read", readonly=True):
        totals, _, _ = await _from_settlements(conn, _owed_on_sql([]), [PAST], 50, 0)
    portfolio = _buckets()
    for row in totals:
        _add(portfolio, PAST, row["due_date"], row["amount"])
    return portfolio


async def timed(call, repeats: int) -> list[float]:
    await call()  # warm: the first run reads the pages into the cache
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def line(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"  {label:<50} p50 {statistics.median(ordered):8.1f} ms  p95 {ordered[int(len(ordered) * 0.95)]:8.1f} ms"
        f"  p99 {p99:8.1f} ms  ({len(ordered)} runs)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=int(os.environ.get("AGING_INVOICES", 1_000_000)))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("AGING_REPEATS", 100)))
    args = parser.parse_args()
    url = fresh_settings(kafka=False).database_url
    conn = await asyncpg.connect(url)
    try:
        seconds = await fill(conn, args.invoices)
        open_count = await conn.fetchval(
            f"SELECT count(*) FROM {invoice_register.TABLE} WHERE open_balance > 0"
        )
        print(
            f"\naging benchmark: {args.invoices:,} invoices ({open_count:,} open), written in {seconds:.0f} s"
        )
        client = await conn.fetchval(f"SELECT client_id FROM {invoice_register.TABLE} LIMIT 1")
        rows = [
            ("baseline, one pass summing open invoices", lambda: conn.fetchval(BASELINE, TODAY)),
            ("aging today, portfolio and first page", lambda: aging(conn, TODAY)),
            ("aging today, one client", lambda: aging(conn, TODAY, client_id=client)),
            ("aging today, one service (filtered portfolio)", lambda: aging(conn, TODAY, service="mobile")),
            (f"aging as of {PAST}, portfolio and first page", lambda: aging(conn, PAST)),
            (f"aging as of {PAST}, one client", lambda: aging(conn, PAST, client_id=client)),
        ]
        results = {}
        for label, call in rows:
            repeats = 10 if "service" in label else args.repeats  # the filtered scan is slow
            results[label] = await timed(call, repeats)
            print(line(label, results[label]), flush=True)
        base = statistics.median(results[rows[0][0]])
        daily = statistics.median(results[rows[1][0]])
        past = statistics.median(results[rows[4][0]])
        print(f"  ratio to the baseline (p50): today {daily / base:.2f}, as of {PAST} {past / base:.2f}")
        print(f"  peak RSS of this process {psutil.Process().memory_info().rss / 2**20:.1f} MiB")
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
