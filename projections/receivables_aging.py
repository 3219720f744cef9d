"""Query: how much is owed, and how late, as of a date? Per client and for the portfolio.

Reads the invoice register and its dated settlements: what an invoice owed on `as_of` is its
gross less every credit note, payment and credit dated on or before that day (reversals add back),
that is, its open balance today plus whatever was settled after `as_of`.
The database sums per due date; the buckets are drawn here, by `domain.collections.aging_bucket`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from domain.collections import AGING_BUCKETS, aging_bucket
from projections.invoice_register import OPEN_BY_DUE_DATE, SETTLED_BY_DAY, SETTLEMENTS, TABLE


def _open_sql(filters: list[str]) -> str:
    """What each open invoice owes now, from the index of open invoices."""
    where = " AND ".join(["i.issue_date <= $1", *filters])
    return f"SELECT i.client_id, i.due_date, i.open_balance AS owed FROM {TABLE} i WHERE i.open_balance > 0 AND {where}"


def _owed_on_sql(filters: list[str]) -> str:
    """What each invoice owed on $1. Every change of an open balance is also a dated settlement row
    (one handler writes both), so that is its open balance plus what was settled after $1."""
    where = " AND ".join(["i.issue_date <= $1", *filters])
    return f"""
        SELECT i.client_id, i.due_date, i.open_balance + coalesce(later.amount, 0) AS owed
        FROM {TABLE} i
        LEFT JOIN (SELECT invoice_id, sum(amount) AS amount FROM {SETTLEMENTS} WHERE on_date > $1 GROUP BY
        invoice_id) later
               USING (invoice_id)
        WHERE {where}"""


def _invoice_owed_on(invoice: str) -> str:
    """What one invoice (`i`, of an outer query) owed on $1: read through the settlements' index, for a
    few invoices (a client's, a page's) rather than the whole register."""
    return (
        f"{invoice}.open_balance + coalesce((SELECT sum(s.amount) FROM {SETTLEMENTS} s "
        f"WHERE s.invoice_id = {invoice}.invoice_id AND s.on_date > $1), 0)"
    )


def _filters(
    client_id: UUID | None, service: str | None, offer_id: UUID | None
) -> tuple[list[str], list[Any]]:
    sql, args = [], []
    for condition, value in (
        ("i.client_id = ${}", client_id),
        ("${} = ANY(i.services)", service),
        ("${} = ANY(i.offer_ids)", offer_id),
    ):
        if value is not None:
            args.append(value)
            sql.append(condition.format(len(args) + 1))
    return sql, args


def _buckets() -> dict[str, Decimal]:
    return {bucket: Decimal("0.00") for bucket in (*AGING_BUCKETS, "total")}


def _add(amounts: dict[str, Decimal], as_of: date, due_date: date, amount: Decimal) -> None:
    amounts[aging_bucket(as_of, due_date)] += amount
    amounts["total"] += amount


async def aging(
    conn: asyncpg.Connection,
    as_of: date,
    *,
    client_id=None,
    service=None,
    offer_id=None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Portfolio totals per bucket, and a page of clients (in client id order) with their buckets,
    all from one snapshot. The database sums per due date; the buckets are drawn here."""
    filters, args = _filters(client_id, service, offer_id)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        latest = await conn.fetchval(f"SELECT max(on_date) FROM {SETTLEMENTS}")
        if latest is None or latest <= as_of:  # the daily case: nothing settled after as_of
            totals, page_ids, rows = await _from_open_balances(
                conn, _open_sql(filters), [as_of, *args], limit, offset, not filters
            )
        elif service is None and offer_id is None:  # a past day, the portfolio or one client
            totals, page_ids, rows = await _from_day_totals(conn, [as_of, *args], limit, offset, filters)
        else:
            totals, page_ids, rows = await _from_settlements(
                conn, _owed_on_sql(filters), [as_of, *args], limit, offset
            )
    portfolio = _buckets()
    for row in totals:
        _add(portfolio, as_of, row["due_date"], row["amount"])
    page = {client: {"client_id": client, **_buckets()} for client in page_ids}
    for row in rows:
        _add(page[row["client_id"]], as_of, row["due_date"], row["amount"])
    return {"portfolio": portfolio, "clients": list(page.values())}


async def portfolio_buckets(conn: asyncpg.Connection, as_of: date) -> dict[str, Decimal]:
    """What the whole portfolio owes today, per aging bucket: a few rows kept by the projection (metrics)."""
    amounts = _buckets()
    for row in await conn.fetch(
        f"SELECT due_date, sum(amount) AS amount FROM {OPEN_BY_DUE_DATE} WHERE issue_date <= $1 GROUP BY due_date",
        as_of,
    ):
        _add(amounts, as_of, row["due_date"], row["amount"])
    return amounts


async def _from_open_balances(
    conn: asyncpg.Connection, owed: str, args: list, limit: int, offset: int, whole_portfolio: bool
):
    """Three short queries: totals per due date (for the whole portfolio, a few rows kept by the
    projection; filtered, from the index of open invoices), the page's clients, and their open
    invoices."""
    n = len(args) + 1
    if whole_portfolio:
        totals = await conn.fetch(
            f"SELECT due_date, sum(amount) AS amount FROM {OPEN_BY_DUE_DATE} WHERE issue_date <= $1 GROUP BY due_date",
            *args,
        )
    else:
        totals = await conn.fetch(
            f"SELECT due_date, sum(owed) AS amount FROM ({owed}) o GROUP BY due_date", *args
        )
    page_ids = [
        r["client_id"]
        for r in await conn.fetch(
            f"SELECT DISTINCT client_id FROM ({owed}) o ORDER BY client_id LIMIT ${n} OFFSET ${n + 1}",
            *args,
            limit,
            offset,
        )
    ]
    rows = await conn.fetch(
        f"SELECT client_id, due_date, sum(owed) AS amount FROM ({owed}) o WHERE client_id = "
        f"ANY(${n}::uuid[]) GROUP BY client_id, due_date",
        *args,
        page_ids,
    )
    return totals, page_ids, rows


async def _from_day_totals(conn: asyncpg.Connection, args: list, limit: int, offset: int, filters: list[str]):
    """A past day without reading the whole register. The portfolio's totals per due date from the two
    small tables the projection keeps: what is open now, plus what was settled after the day, of the
    invoices issued by then. The page's clients: the invoices read in client order, each kept if it owed
    something on the day, until the page is full; and their invoices, each through the settlements' index."""
    n = len(args) + 1
    where = " AND ".join(["i.issue_date <= $1", *filters])
    if filters:  # one client: its own invoices
        totals = await conn.fetch(
            f"SELECT i.due_date, sum({_invoice_owed_on('i')}) AS amount FROM {TABLE} i WHERE {where} "
            "GROUP BY i.due_date",
            *args,
        )
    else:
        totals = await conn.fetch(
            f"""SELECT due_date, sum(amount) AS amount FROM (
                    SELECT due_date, amount FROM {OPEN_BY_DUE_DATE} WHERE issue_date <= $1
                    UNION ALL
                    SELECT due_date, amount FROM {SETTLED_BY_DAY} WHERE on_date > $1 AND issue_date <= $1) t
                GROUP BY due_date""",
            *args,
        )
    page_ids = [
        r["client_id"]
        for r in await conn.fetch(
            # Invoices in client order (the client index), each checked, until the page is full.
            f"""SELECT DISTINCT i.client_id FROM {TABLE} i WHERE {where} AND {_invoice_owed_on("i")} > 0
                ORDER BY i.client_id LIMIT ${n} OFFSET ${n + 1}""",
            *args,
            limit,
            offset,
        )
    ]
    rows = await conn.fetch(
        f"""SELECT client_id, due_date, sum(owed) AS amount FROM (
                SELECT i.client_id, i.due_date, {_invoice_owed_on("i")} AS owed FROM {TABLE} i
                WHERE i.issue_date <= $1 AND i.client_id = ANY($2::uuid[])) o
            WHERE owed > 0 GROUP BY client_id, due_date""",
        args[0],
        page_ids,
    )
    return totals, page_ids, rows


async def _from_settlements(conn: asyncpg.Connection, owed: str, args: list, limit: int, offset: int):
    """One statement, so that what each invoice owed on the day is worked out once."""
    n = len(args) + 1
    rows = await conn.fetch(
        f"""WITH owed AS MATERIALIZED (SELECT client_id, due_date, owed FROM ({owed}) o WHERE owed > 0),
                 page AS (SELECT DISTINCT client_id FROM owed ORDER BY client_id LIMIT ${n} OFFSET ${n + 1})
            SELECT NULL::uuid AS client_id, due_date, sum(owed) AS amount FROM owed GROUP BY due_date
            UNION ALL
            SELECT client_id, due_date, sum(owed) FROM owed JOIN page USING (client_id) GROUP BY client_id, due_date
            ORDER BY client_id NULLS FIRST""",
        *args,
        limit,
        offset,
    )
    totals = [r for r in rows if r["client_id"] is None]
    clients = [r for r in rows if r["client_id"] is not None]
    return totals, list(dict.fromkeys(r["client_id"] for r in clients)), clients
