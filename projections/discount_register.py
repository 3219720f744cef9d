"""Read model: which discounts does a client or contract have, and for which periods?"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from projections.base import SCHEMA, Projection
from projections.paging import filtered_page
from schemas.envelope import CloudEvent

NAME = "discount_register"
TABLE = f"{SCHEMA}.discount_register"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    discount_id uuid PRIMARY KEY,
    client_id   uuid NOT NULL,
    contract_id uuid,
    kind        text NOT NULL,
    value       numeric(12, 2) NOT NULL,
    from_period text NOT NULL,
    to_period   text,
    label       text NOT NULL,
    granted_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS discount_register_client ON {TABLE} (client_id);
"""


async def on_granted(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"""INSERT INTO {TABLE} (discount_id, client_id, contract_id, kind, value, from_period, to_period, label,
                granted_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)""",
        event.aggregate_id,
        UUID(d["client_id"]),
        UUID(d["contract_id"]) if d["contract_id"] else None,
        d["kind"],
        Decimal(d["value"]),
        d["from_period"],
        d["to_period"],
        d["label"],
        event.time,
    )


async def on_ended(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"UPDATE {TABLE} SET to_period = $2, updated_at = $3 WHERE discount_id = $1",
        event.aggregate_id,
        event.data["last_period"],
        event.time,
    )


PROJECTION = Projection(
    name=NAME,
    aggregates=("discount",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={"DiscountGranted": on_granted, "DiscountEnded": on_ended},
)


async def find(conn: asyncpg.Connection, discount_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE discount_id = $1", discount_id)
    return dict(row) if row else None


async def search(conn: asyncpg.Connection, *, client_id=None, contract_id=None, limit: int, offset: int):
    equals = {"client_id": client_id, "contract_id": contract_id}
    rows, total = await filtered_page(
        conn, TABLE, equals=equals, order_by="granted_at, discount_id", limit=limit, offset=offset
    )
    return [dict(r) for r in rows], total
