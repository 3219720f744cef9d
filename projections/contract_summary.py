"""Read model: what is the current state of this contract?"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from projections.paging import filtered_page
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
    plan_effective_from date NOT NULL,
    timeline          jsonb NOT NULL,
    status            text NOT NULL,
    status_since      date NOT NULL,
    early_termination_charge numeric(12, 2) NOT NULL DEFAULT 0,
    documents         jsonb NOT NULL DEFAULT '[]',
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
                provisioned_at, updated_at, version, plan_effective_from, timeline)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $11, $13, $13, $14, $11, $15)""",
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
        orjson.dumps([_plan(d, d["start_date"])]).decode(),
    )


def _plan(data: dict[str, Any], effective_from: str) -> dict[str, Any]:
    keys = ("offer_id", "offer_version", "offer_name", "monthly_fee")
    return {**{k: data[k] for k in keys}, "effective_from": effective_from}


async def on_plan_changed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    contract_id = UUID(event.subject)
    timeline = orjson.loads(await conn.fetchval(f"SELECT timeline FROM {TABLE} WHERE contract_id = $1", contract_id))
    timeline = [p for p in timeline if p["effective_from"] < d["effective_date"]] + [_plan(d, d["effective_date"])]
    await conn.execute(
        f"""UPDATE {TABLE} SET offer_id = $2, offer_version = $3, offer_name = $4, monthly_fee = $5,
                plan_effective_from = $6, timeline = $7, updated_at = $8, version = $9 WHERE contract_id = $1""",
        contract_id, UUID(d["offer_id"]), d["offer_version"], d["offer_name"], Decimal(d["monthly_fee"]),
        date.fromisoformat(d["effective_date"]), orjson.dumps(timeline).decode(), event.time, event.aggregateversion,
    )


async def on_document_issued(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    entry = {"document_id": d["document_id"], "reason": d["reason"], "sha256": d["sha256"], "size": d["size"], "issued_at": event.time.isoformat()}
    await conn.execute(
        f"UPDATE {TABLE} SET documents = documents || $2::jsonb, updated_at = $3, version = $4 WHERE contract_id = $1",
        UUID(event.subject), orjson.dumps([entry]).decode(), event.time, event.aggregateversion,
    )


async def on_terminated(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await _status_change("terminated")(conn, event)
    await conn.execute(
        f"UPDATE {TABLE} SET early_termination_charge = $2 WHERE contract_id = $1",
        UUID(event.subject), Decimal(event.data["early_termination_charge"]),
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
        "ContractTerminated": on_terminated,
        "ContractPlanChanged": on_plan_changed,
        "ContractDocumentIssued": on_document_issued,
    },
)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return {**dict(record), "timeline": orjson.loads(record["timeline"]), "documents": orjson.loads(record["documents"])}


async def find(conn: asyncpg.Connection, contract_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE contract_id = $1", contract_id)
    return _row(row) if row else None


async def search(conn: asyncpg.Connection, *, client_id=None, service=None, status=None, offer_id=None, limit: int, offset: int):
    equals = {"client_id": client_id, "service": service, "status": status, "offer_id": offer_id}
    rows, total = await filtered_page(conn, TABLE, equals=equals, order_by="provisioned_at, contract_id", limit=limit, offset=offset)
    return [_row(r) for r in rows], total
