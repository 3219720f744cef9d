"""Read model: what is the current state of this contract?"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from projections.base import SCHEMA, Projection
from schemas.envelope import CloudEvent

NAME = "contract_summary"
TABLE = f"{SCHEMA}.contract_summary"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    contract_id       uuid PRIMARY KEY,
    client_id         uuid NOT NULL,
    subscriber_id     uuid NOT NULL,
    number            text NOT NULL,
    offer_id          uuid NOT NULL,
    offer_version     int NOT NULL,
    offer_name        text NOT NULL,
    service           text NOT NULL,
    monthly_fee       numeric(12, 2) NOT NULL,
    activation_fee    numeric(12, 2) NOT NULL,
    start_date        date NOT NULL,
    commitment_months int NOT NULL,
    status            text NOT NULL,
    status_since      date NOT NULL,
    provisioned_at    timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           int NOT NULL
);
CREATE INDEX IF NOT EXISTS contract_summary_client ON {TABLE} (client_id);
"""


async def on_provisioned(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"""INSERT INTO {TABLE} (contract_id, client_id, subscriber_id, number, offer_id, offer_version, offer_name,
                service, monthly_fee, activation_fee, start_date, commitment_months, status, status_since,
                provisioned_at, updated_at, version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $11, $13, $13, $14)""",
        UUID(event.subject),
        UUID(d["client_id"]),
        UUID(d["subscriber_id"]),
        d["number"],
        UUID(d["offer_id"]),
        d["offer_version"],
        d["offer_name"],
        d["service"],
        Decimal(d["monthly_fee"]),
        Decimal(d["activation_fee"]),
        date.fromisoformat(d["start_date"]),
        d["commitment_months"],
        event.time,
        event.aggregateversion,
    )


def _status_change(status: str):
    async def handle(conn: asyncpg.Connection, event: CloudEvent) -> None:
        await conn.execute(
            f"UPDATE {TABLE} SET status = $2, status_since = $3, updated_at = $4, version = $5 WHERE contract_id = $1",
            UUID(event.subject),
            status,
            date.fromisoformat(event.data["on"]),
            event.time,
            event.aggregateversion,
        )

    return handle


PROJECTION = Projection(
    name=NAME,
    aggregates=("contract",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={
        "ContractProvisioned": on_provisioned,
        "ContractActivated": _status_change("active"),
        "ContractSuspended": _status_change("suspended"),
        "ContractResumed": _status_change("active"),
        "ContractTerminated": _status_change("terminated"),
    },
)


async def find(conn: asyncpg.Connection, contract_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE contract_id = $1", contract_id)
    return dict(row) if row else None
