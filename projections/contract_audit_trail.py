"""Read model: who changed this contract, when, why, and from what to what?"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from projections.base import SCHEMA, Projection
from schemas.envelope import CloudEvent

NAME = "contract_audit_trail"
TABLE = f"{SCHEMA}.contract_audit_trail"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    contract_id    uuid NOT NULL,
    version        int NOT NULL,
    event_id       text NOT NULL,
    event_type     text NOT NULL,
    occurred_at    timestamptz NOT NULL,
    effective_date date,
    actor          text NOT NULL,
    role           text NOT NULL,
    reason         text,
    correlation_id text NOT NULL,
    causation_id   text NOT NULL,
    before         jsonb,
    after          jsonb NOT NULL,
    position       bigint NOT NULL,
    PRIMARY KEY (contract_id, version)
);
"""

_STATUS_AFTER = {
    "ContractActivated": "active",
    "ContractSuspended": "suspended",
    "ContractResumed": "active",
    "ContractTerminated": "terminated",
}


async def _previous_state(conn: asyncpg.Connection, contract_id: UUID) -> dict[str, Any] | None:
    raw = await conn.fetchval(
        f"SELECT after FROM {TABLE} WHERE contract_id = $1 ORDER BY version DESC LIMIT 1", contract_id
    )
    return orjson.loads(raw) if raw else None


async def _record(conn, event: CloudEvent, before, after, effective: str | None) -> None:
    await conn.execute(
        f"""INSERT INTO {TABLE} (contract_id, version, event_id, event_type, occurred_at, effective_date,
                actor, role, reason, correlation_id, causation_id, before, after, position)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
        UUID(event.subject),
        event.aggregateversion,
        event.id,
        event.event_name,
        event.time,
        date.fromisoformat(effective) if effective else None,
        event.actor,
        event.actorrole,
        event.data.get("reason") or event.reason,
        event.correlationid,
        event.causationid,
        orjson.dumps(before).decode() if before is not None else None,
        orjson.dumps(after).decode(),
        event.position,
    )


async def on_provisioned(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    after = {"status": "draft", "offer_id": d["offer_id"], "offer_version": d["offer_version"], "offer_name": d["offer_name"]}
    await _record(conn, event, None, after, d["start_date"])


async def on_status_change(conn: asyncpg.Connection, event: CloudEvent) -> None:
    before = await _previous_state(conn, UUID(event.subject))
    after = {**(before or {}), "status": _STATUS_AFTER[event.event_name]}
    await _record(conn, event, before, after, event.data.get("on"))


async def on_plan_changed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    before = await _previous_state(conn, UUID(event.subject))
    after = {
        **(before or {}),
        "offer_id": d["offer_id"],
        "offer_version": d["offer_version"],
        "offer_name": d["offer_name"],
        "change": d["change"],
    }
    await _record(conn, event, before, after, d["effective_date"])


async def on_document_issued(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    before = await _previous_state(conn, UUID(event.subject))
    after = {**(before or {}), "document_id": d["document_id"], "document_sha256": d["sha256"]}
    await _record(conn, event, before, after, None)


PROJECTION = Projection(
    name=NAME,
    aggregates=("contract",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={
        "ContractProvisioned": on_provisioned,
        "ContractPlanChanged": on_plan_changed,
        "ContractDocumentIssued": on_document_issued,
        **{name: on_status_change for name in _STATUS_AFTER},
    },
)


async def entries(conn: asyncpg.Connection, contract_id: UUID, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT * FROM {TABLE} WHERE contract_id = $1 ORDER BY version LIMIT $2 OFFSET $3",
        contract_id,
        limit,
        offset,
    )
    return [{**dict(r), "before": orjson.loads(r["before"]) if r["before"] else None, "after": orjson.loads(r["after"])} for r in rows]
