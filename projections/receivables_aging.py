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


def _owed_sql(filters: list[str]) -> str:
    where = " AND ".join(["i.issue_date <= $1", *filters])
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
    """One statement: per-client buckets, the page sorted by total owed, and portfolio totals as window sums."""
    filters, args = _filters(client_id, service, offer_id)
    buckets = ", ".join(f"coalesce(sum(owed) FILTER (WHERE bucket = '{b}'), 0) AS {c}" for b, c in _COLUMNS.items())
    portfolio = ", ".join(f"sum({c}) OVER () AS all_{c}" for c in (*_COLUMNS.values(), "total"))
    n = len(args) + 2
    rows = await conn.fetch(
        f"""WITH owed AS ({_owed_sql(filters)}),
                 per_client AS (SELECT client_id, {buckets}, sum(owed) AS total FROM owed WHERE owed > 0 GROUP BY client_id)
            SELECT *, count(*) OVER () AS clients, {portfolio} FROM per_client
            ORDER BY total DESC, client_id LIMIT ${n} OFFSET ${n + 1}""",
        as_of, *args, limit, offset,
    )
    if not rows and offset > 0:  # past the last page: the totals still describe the portfolio
        return {**await aging(conn, as_of, client_id=client_id, service=service, offer_id=offer_id, limit=1, offset=0), "clients": []}
    zero = Decimal("0.00")
    totals = {b: (rows[0][f"all_{c}"] if rows else zero) for b, c in (*_COLUMNS.items(), ("total", "total"))}
    page = [{"client_id": r["client_id"], **{b: r[c] for b, c in _COLUMNS.items()}, "total": r["total"]} for r in rows]
    return {"portfolio": totals, "clients": page, "client_count": rows[0]["clients"] if rows else 0}
