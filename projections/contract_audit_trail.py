"""Read model: who changed this contract, when, why, and from what to what?"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
import orjson

from projections.base import SCHEMA, Projection, carried_over, gathered
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

CREATED_BY = "ContractProvisioned"
_STATUS_AFTER = {
    "ContractActivated": "active",
    "ContractSuspended": "suspended",
    "ContractResumed": "active",
    "ContractTerminated": "terminated",
}


class Entry(NamedTuple):
    event: CloudEvent
    change: dict[str, Any]  # merged into the contract's previous state to give `after`
    effective: str | None


def _entry(event: CloudEvent, change: dict[str, Any], effective: str | None) -> None:
    """Gathers the entry; `_write_entries` writes the batch's entries at its end.

    Each entry's `before` is the previous entry's `after`. Worked out per event, that was a read
    and a write per event, one round trip after another, and the slowest read model under load.
    Per batch it is one read of the latest states and one pipelined insert."""
    gathered(NAME).setdefault("entries", []).append(Entry(event, change, effective))


async def on_provisioned(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    change = {
        "status": "draft",
        "offer_id": d["offer_id"],
        "offer_version": d["offer_version"],
        "offer_name": d["offer_name"],
    }
    _entry(event, change, d["start_date"])


async def on_status_change(conn: asyncpg.Connection, event: CloudEvent) -> None:
    _entry(event, {"status": _STATUS_AFTER[event.event_name]}, event.data.get("on"))


async def on_plan_changed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    change = {
        "offer_id": d["offer_id"],
        "offer_version": d["offer_version"],
        "offer_name": d["offer_name"],
        "change": d["change"],
    }
    _entry(event, change, d["effective_date"])


async def on_document_issued(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    _entry(event, {"document_id": d["document_id"], "document_sha256": d["sha256"]}, None)


async def _latest_states(conn: asyncpg.Connection, contract_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT DISTINCT ON (contract_id) contract_id, after FROM {TABLE} WHERE contract_id = ANY($1::uuid[]) "
        "ORDER BY contract_id, version DESC",
        contract_ids,
    )
    return {row["contract_id"]: orjson.loads(row["after"]) for row in rows}


async def _write_entries(conn: asyncpg.Connection, gathered_now: dict[str, list[Entry]]) -> None:
    entries = gathered_now["entries"]
    earlier = carried_over((entry.event for entry in entries), CREATED_BY)
    states = await _latest_states(conn, earlier) if earlier else {}
    rows = []
    for entry in entries:
        contract_id = entry.event.aggregate_id
        before = None if entry.event.event_name == CREATED_BY else states.get(contract_id)
        after = {**(before or {}), **entry.change}
        rows.append(_row(entry, before, after))
        states[contract_id] = after
    await conn.executemany(_INSERT, rows)


_INSERT = f"""INSERT INTO {TABLE} (contract_id, version, event_id, event_type, occurred_at, effective_date,
                actor, role, reason, correlation_id, causation_id, before, after, position)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"""


def _row(entry: Entry, before: dict[str, Any] | None, after: dict[str, Any]) -> tuple:
    event = entry.event
    return (
        event.aggregate_id,
        event.aggregateversion,
        event.id,
        event.event_name,
        event.time,
        date.fromisoformat(entry.effective) if entry.effective else None,
        event.actor,
        event.actorrole,
        event.data.get("reason") or event.reason,
        event.correlationid,
        event.causationid,
        orjson.dumps(before).decode() if before is not None else None,
        orjson.dumps(after).decode(),
        event.position,
    )


PROJECTION = Projection(
    name=NAME,
    aggregates=("contract",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={
        CREATED_BY: on_provisioned,
        "ContractPlanChanged": on_plan_changed,
        "ContractDocumentIssued": on_document_issued,
        **{name: on_status_change for name in _STATUS_AFTER},
    },
    flush=_write_entries,
)


async def entries(
    conn: asyncpg.Connection, contract_id: UUID, limit: int, offset: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT * FROM {TABLE} WHERE contract_id = $1 ORDER BY version LIMIT $2 OFFSET $3",
        contract_id,
        limit,
        offset,
    )
    return [
        {
            **dict(r),
            "before": orjson.loads(r["before"]) if r["before"] else None,
            "after": orjson.loads(r["after"]),
        }
        for r in rows
    ]
