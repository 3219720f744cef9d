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

from domain.aging import BUCKETS
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


async def aging(
    conn: asyncpg.Connection, as_of: date, *, client_id=None, service=None, offer_id=None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    filters, args = _filters(client_id, service, offer_id)
    owed = _owed_sql(filters)
    rows = await conn.fetch(
        f"""WITH owed AS ({owed}), per_client AS (
                SELECT client_id, bucket, sum(owed) AS amount FROM owed WHERE owed > 0 GROUP BY client_id, bucket)
            SELECT client_id, bucket, amount, count(*) OVER () AS rows FROM per_client""",
        as_of, *args,
    )
    portfolio = {bucket: Decimal("0.00") for bucket in BUCKETS}
    clients: dict[UUID, dict[str, Decimal]] = {}
    for row in rows:
        portfolio[row["bucket"]] += row["amount"]
        clients.setdefault(row["client_id"], {bucket: Decimal("0.00") for bucket in BUCKETS})[row["bucket"]] = row["amount"]
    ordered = sorted(clients.items(), key=lambda item: (-sum(item[1].values()), str(item[0])))
    page = [{"client_id": c, **amounts, "total": sum(amounts.values())} for c, amounts in ordered[offset : offset + limit]]
    return {"portfolio": {**portfolio, "total": sum(portfolio.values())}, "clients": page, "client_count": len(clients)}
