"""Read model: how far is the billing run of a period, and what has it billed so far?"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from projections.base import SCHEMA, Projection
from projections.paging import filtered_page
from schemas.envelope import CloudEvent

NAME = "billing_run_progress"
TABLE = f"{SCHEMA}.billing_run_progress"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    run_id          uuid PRIMARY KEY,
    period          text NOT NULL UNIQUE,
    status          text NOT NULL,
    billed_position bigint NOT NULL,
    issue_date      date NOT NULL,
    due_date        date NOT NULL,
    vat_rate        numeric(6, 4) NOT NULL,
    clients_total   int NOT NULL,
    clients_done    int NOT NULL DEFAULT 0,
    invoices_issued int NOT NULL DEFAULT 0,
    net             numeric(16, 2) NOT NULL DEFAULT 0,
    tax             numeric(16, 2) NOT NULL DEFAULT 0,
    gross           numeric(16, 2) NOT NULL DEFAULT 0,
    documents       int,
    started_at      timestamptz NOT NULL,
    issued_at       timestamptz,
    completed_at    timestamptz,
    version         int NOT NULL
);
"""


async def on_started(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"""INSERT INTO {TABLE} (run_id, period, status, billed_position, issue_date, due_date, vat_rate, clients_total,
                started_at, version) VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8, $9)""",
        event.aggregate_id,
        d["period"],
        d["billed_position"],
        date.fromisoformat(d["issue_date"]),
        date.fromisoformat(d["due_date"]),
        Decimal(d["vat_rate"]),
        d["clients_total"],
        event.time,
        event.aggregateversion,
    )


async def on_progressed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"""UPDATE {TABLE} SET clients_done = $2, invoices_issued = $3, net = $4, tax = $5, gross = $6, version = $7
            WHERE run_id = $1""",
        event.aggregate_id,
        d["clients_done"],
        d["invoices_issued"],
        Decimal(d["net"]),
        Decimal(d["tax"]),
        Decimal(d["gross"]),
        event.aggregateversion,
    )


async def on_block_issued(conn: asyncpg.Connection, event: CloudEvent) -> None:
    """A block's own counts and amounts, added: the run's events reach this handler once each, in order."""
    d = event.data
    await conn.execute(
        f"""UPDATE {TABLE} SET clients_done = clients_done + $2, invoices_issued = invoices_issued + $3,
                net = net + $4, tax = tax + $5, gross = gross + $6, version = $7
            WHERE run_id = $1""",
        event.aggregate_id,
        d["clients"],
        d["invoices"],
        Decimal(d["net"]),
        Decimal(d["tax"]),
        Decimal(d["gross"]),
        event.aggregateversion,
    )


async def on_issued(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"UPDATE {TABLE} SET status = 'issued', issued_at = $2, version = $3 WHERE run_id = $1",
        event.aggregate_id,
        event.time,
        event.aggregateversion,
    )


async def on_completed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"UPDATE {TABLE} SET status = 'completed', documents = $2, completed_at = $3, version = $4 WHERE run_id = $1",
        event.aggregate_id,
        event.data["documents"],
        event.time,
        event.aggregateversion,
    )


PROJECTION = Projection(
    name=NAME,
    aggregates=("billing_run",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={
        "BillingRunStarted": on_started,
        "BillingRunProgressed": on_progressed,
        "BillingRunBlockIssued": on_block_issued,
        "BillingRunIssued": on_issued,
        "BillingRunCompleted": on_completed,
    },
)


async def find(conn: asyncpg.Connection, run_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE run_id = $1", run_id)
    return dict(row) if row else None


async def search(conn: asyncpg.Connection, *, status=None, limit: int, offset: int):
    rows, total = await filtered_page(
        conn, TABLE, equals={"status": status}, order_by="period DESC", limit=limit, offset=offset
    )
    return [dict(r) for r in rows], total
