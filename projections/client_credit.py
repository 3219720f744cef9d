"""Read model: how much credit does each client hold?"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import asyncpg

from projections.base import SCHEMA, Projection
from schemas.envelope import CloudEvent

NAME = "client_credit"
TABLE = f"{SCHEMA}.client_credit"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    account_id uuid PRIMARY KEY,
    client_id  uuid NOT NULL UNIQUE,
    credit     numeric(14, 2) NOT NULL,
    updated_at timestamptz NOT NULL
);
"""


async def on_opened(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"INSERT INTO {TABLE} (account_id, client_id, credit, updated_at) VALUES ($1, $2, 0, $3)",
        event.aggregate_id,
        UUID(event.data["client_id"]),
        event.time,
    )


def _change(sign: int):
    async def handle(conn: asyncpg.Connection, event: CloudEvent) -> None:
        await conn.execute(
            f"UPDATE {TABLE} SET credit = credit + $2, updated_at = $3 WHERE account_id = $1",
            event.aggregate_id,
            sign * Decimal(event.data["amount"]),
            event.time,
        )

    return handle


PROJECTION = Projection(
    name=NAME,
    aggregates=("client_account",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={
        "ClientAccountOpened": on_opened,
        "ClientCreditAdded": _change(+1),
        "ClientCreditUsed": _change(-1),
        "ClientCreditWithdrawn": _change(-1),
    },
)


async def credit_of(conn: asyncpg.Connection, client_id: UUID) -> Decimal:
    return await conn.fetchval(f"SELECT credit FROM {TABLE} WHERE client_id = $1", client_id) or Decimal(
        "0.00"
    )
