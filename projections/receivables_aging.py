"""Query: how much is owed, and how late, as of a date? Per client and for the portfolio.

Reads the invoice register and its dated settlements: what an invoice owed on `as_of` is its
gross less every credit note, payment and credit dated on or before that day (reversals add back).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from projections.invoice_register import SETTLEMENTS, TABLE

_BUCKET = """CASE WHEN $1::date - due_date <= 0 THEN 'current' WHEN $1::date - due_date <= 30 THEN '1-30'
                  WHEN $1::date - due_date <= 60 THEN '31-60' WHEN $1::date - due_date <= 90 THEN '61-90' ELSE '90+' END"""


def _owed_sql(filters: list[str], current: bool) -> str:
    """What each invoice owed on $1. When no settlement is dated after $1, that is simply its open balance."""
    where = " AND ".join(["i.issue_date <= $1", *filters])
    if current:
        return f"SELECT i.client_id, {_BUCKET} AS bucket, i.open_balance AS owed FROM {TABLE} i WHERE i.open_balance > 0 AND {where}"
    return f"""
        SELECT i.client_id, {_BUCKET} AS bucket, i.gross - coalesce(s.settled, 0) AS owed
        FROM {TABLE} i
        LEFT JOIN (SELECT invoice_id, sum(amount) AS settled FROM {SETTLEMENTS} WHERE on_date <= $1 GROUP BY invoice_id) s
               USING (invoice_id)
        WHERE {where}"""


def _filters(client_id: UUID | None, service: str | None, offer_id: UUID | None) -> tuple[list[str], list[Any]]:
    sql, args = [], []
    for condition, value in (("i.client_id = ${}", client_id), ("${} = ANY(i.services)", service), ("${} = ANY(i.offer_ids)", offer_id)):
        if value is not None:
            args.append(value)
            sql.append(condition.format(len(args) + 1))
    return sql, args


_COLUMNS = {"current": "current", "1-30": "d1_30", "31-60": "d31_60", "61-90": "d61_90", "90+": "d90_plus"}


async def aging(
    conn: asyncpg.Connection, as_of: date, *, client_id=None, service=None, offer_id=None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """Portfolio totals per bucket, and a page of clients (in client id order) with their buckets.

    When no settlement is dated after `as_of` (the daily case), open balances are what is owed and a
    covering index answers; for an earlier day the dated settlements are summed."""
    filters, args = _filters(client_id, service, offer_id)
    latest = await conn.fetchval(f"SELECT max(on_date) FROM {SETTLEMENTS}")
    current = latest is None or latest <= as_of
    owed = _owed_sql(filters, current)
    totals = await conn.fetch(f"SELECT bucket, sum(owed) AS amount FROM ({owed}) o WHERE owed > 0 GROUP BY bucket", as_of, *args)
    n = len(args) + 2
    owing = (f"SELECT DISTINCT client_id FROM {TABLE} i WHERE i.open_balance > 0 AND {' AND '.join(['i.issue_date <= $1', *filters])}"
             if current else "SELECT DISTINCT client_id FROM owed WHERE owed > 0")
    rows = await conn.fetch(
        f"""WITH owed AS ({owed}), page AS ({owing} ORDER BY client_id LIMIT ${n} OFFSET ${n + 1})
            SELECT client_id, bucket, sum(owed) AS amount FROM owed JOIN page USING (client_id) WHERE owed > 0
            GROUP BY client_id, bucket ORDER BY client_id""",
        as_of, *args, limit, offset,
    )
    zero = Decimal("0.00")
    portfolio = {bucket: zero for bucket in (*_COLUMNS, "total")}
    for row in totals:
        portfolio[row["bucket"]] = row["amount"]
    portfolio["total"] = sum(portfolio.values(), zero)
    page: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        entry = page.setdefault(row["client_id"], {"client_id": row["client_id"], **{b: zero for b in (*_COLUMNS, "total")}})
        entry[row["bucket"]] = row["amount"]
        entry["total"] += row["amount"]
    return {"portfolio": portfolio, "clients": list(page.values())}
