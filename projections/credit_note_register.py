"""Read model: which credit notes were issued, against which invoices?"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from projections.base import SCHEMA, Projection
from projections.paging import filtered_page
from schemas.envelope import CloudEvent

NAME = "credit_note_register"
TABLE = f"{SCHEMA}.credit_note_register"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    credit_note_id uuid PRIMARY KEY,
    number         text NOT NULL UNIQUE,
    invoice_id     uuid NOT NULL,
    invoice_number text NOT NULL,
    client_id      uuid NOT NULL,
    reason         text NOT NULL,
    issue_date     date NOT NULL,
    net            numeric(14, 2) NOT NULL,
    tax            numeric(14, 2) NOT NULL,
    gross          numeric(14, 2) NOT NULL,
    lines          jsonb NOT NULL,
    issued_at      timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS credit_note_register_invoice ON {TABLE} (invoice_id);
CREATE INDEX IF NOT EXISTS credit_note_register_client ON {TABLE} (client_id);
"""


async def on_issued(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"""INSERT INTO {TABLE} (credit_note_id, number, invoice_id, invoice_number, client_id, reason, issue_date, net,
                tax, gross,
                lines, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
        event.aggregate_id,
        d["number"],
        UUID(d["invoice_id"]),
        d["invoice_number"],
        UUID(d["client_id"]),
        d["reason"],
        date.fromisoformat(d["issue_date"]),
        Decimal(d["net"]),
        Decimal(d["tax"]),
        Decimal(d["gross"]),
        orjson.dumps(d["lines"]).decode(),
        event.time,
    )


PROJECTION = Projection(
    name=NAME, aggregates=("credit_note",), ddl=DDL, tables=(TABLE,), handlers={"CreditNoteIssued": on_issued}
)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return {**dict(record), "lines": orjson.loads(record["lines"])}


async def find(conn: asyncpg.Connection, credit_note_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE credit_note_id = $1", credit_note_id)
    return _row(row) if row else None


async def search(conn: asyncpg.Connection, *, invoice_id=None, client_id=None, limit: int, offset: int):
    equals = {"invoice_id": invoice_id, "client_id": client_id}
    rows, total = await filtered_page(
        conn, TABLE, equals=equals, order_by="number", limit=limit, offset=offset
    )
    return [_row(r) for r in rows], total
