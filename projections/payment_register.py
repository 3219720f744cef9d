"""Read model: which payments came in, how were they allocated, and which were reversed?"""

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

NAME = "payment_register"
TABLE = f"{SCHEMA}.payment_register"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    payment_id   uuid PRIMARY KEY,
    client_id    uuid NOT NULL,
    amount       numeric(14, 2) NOT NULL,
    method       text NOT NULL,
    reference    text NOT NULL,
    received_on  date NOT NULL,
    invoice_id   uuid,
    allocations  jsonb NOT NULL,
    credited     numeric(14, 2) NOT NULL,
    status       text NOT NULL,
    reversed_on  date,
    reversal_reason text,
    recorded_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_register_client ON {TABLE} (client_id, received_on);
"""


async def on_received(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"""INSERT INTO {TABLE} (payment_id, client_id, amount, method, reference, received_on, invoice_id,
                allocations, credited,
                status, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', $10)""",
        event.aggregate_id,
        UUID(d["client_id"]),
        Decimal(d["amount"]),
        d["method"],
        d["reference"],
        date.fromisoformat(d["received_on"]),
        UUID(d["invoice_id"]) if d["invoice_id"] else None,
        orjson.dumps(d["allocations"]).decode(),
        Decimal(d["credited"]),
        event.time,
    )


async def on_reversed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"UPDATE {TABLE} SET status = 'reversed', reversed_on = $2, reversal_reason = $3 WHERE payment_id = $1",
        event.aggregate_id,
        date.fromisoformat(d["reversed_on"]),
        d["reason"],
    )


PROJECTION = Projection(
    name=NAME,
    aggregates=("payment",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={"PaymentReceived": on_received, "PaymentReversed": on_reversed},
)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return {**dict(record), "allocations": orjson.loads(record["allocations"])}


async def find(conn: asyncpg.Connection, payment_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE payment_id = $1", payment_id)
    return _row(row) if row else None


async def search(
    conn: asyncpg.Connection,
    *,
    client_id=None,
    method=None,
    status=None,
    invoice_id=None,
    received_from: date | None = None,
    received_to: date | None = None,
    limit: int,
    offset: int,
):
    conditions: list[tuple[str, Any]] = []
    if invoice_id is not None:
        conditions.append(
            ("allocations @> {}::jsonb", orjson.dumps([{"invoice_id": str(invoice_id)}]).decode())
        )
    if received_from is not None:
        conditions.append(("received_on >= {}", received_from))
    if received_to is not None:
        conditions.append(("received_on <= {}", received_to))
    equals = {"client_id": client_id, "method": method, "status": status}
    rows, total = await filtered_page(
        conn,
        TABLE,
        equals=equals,
        conditions=conditions,
        order_by="received_on, recorded_at, payment_id",
        limit=limit,
        offset=offset,
    )
    return [_row(r) for r in rows], total
