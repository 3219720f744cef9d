"""Read model: what is the current state of this contract?"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from domain.plan_timeline import changed
from domain.self_service import legacy_reference
from projections.base import SCHEMA, Projection, carried_over, gathered
from projections.paging import filtered_page
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
    version           int NOT NULL,
    reference         text,
    brought_by        text
);
CREATE INDEX IF NOT EXISTS contract_summary_client ON {TABLE} (client_id);
"""


# Each event folds into the contract's row in memory; the batch's rows are read once and written
# once (`_write_rows`). One statement per event, each waiting for its round trip, was most of
# the projector's time under load (three per provisioning: insert, activate, document).

Row = dict[str, Any]
COLUMNS = (
    "contract_id",
    "client_id",
    "subscriber_id",
    "number",
    "offer_id",
    "offer_version",
    "offer_name",
    "service",
    "monthly_fee",
    "activation_fee",
    "start_date",
    "commitment_months",
    "plan_effective_from",
    "timeline",
    "status",
    "status_since",
    "early_termination_charge",
    "documents",
    "provisioned_at",
    "updated_at",
    "version",
    "reference",
    "brought_by",
)
JSON_COLUMNS = ("timeline", "documents")
_UPSERT = (
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(f'${i}' for i in range(1, len(COLUMNS) + 1))}) "
    f"ON CONFLICT (contract_id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in COLUMNS[1:])}"
)


def provisioned(_: Row | None, event: CloudEvent) -> Row:
    d = event.data
    start = date.fromisoformat(d["start_date"])
    return {
        "contract_id": event.aggregate_id,
        "client_id": UUID(d["client_id"]),
        "subscriber_id": UUID(d["subscriber_id"]),
        "number": d["number"],
        "offer_id": UUID(d["offer_id"]),
        "offer_version": d["offer_version"],
        "offer_name": d["offer_name"],
        "service": d["service"],
        "monthly_fee": Decimal(d["monthly_fee"]),
        "activation_fee": Decimal(d["activation_fee"]),
        "start_date": start,
        "commitment_months": d["commitment_months"],
        "plan_effective_from": start,
        "timeline": [_plan(d, d["start_date"])],
        "status": "draft",
        "status_since": start,
        "early_termination_charge": Decimal("0.00"),
        "documents": [],
        "provisioned_at": event.time,
        **_touched(event),
        "reference": d.get("reference") or legacy_reference(event.aggregate_id, start),
        "brought_by": d.get("brought_by"),
    }


def _plan(data: dict[str, Any], effective_from: str) -> dict[str, Any]:
    keys = ("offer_id", "offer_version", "offer_name", "monthly_fee")
    return {**{k: data[k] for k in keys}, "effective_from": effective_from}


def _touched(event: CloudEvent) -> Row:
    return {"updated_at": event.time, "version": event.aggregateversion}


def plan_changed(row: Row, event: CloudEvent) -> Row:
    d = event.data
    timeline = changed(
        row["timeline"], _plan(d, d["effective_date"]), effective_from=itemgetter("effective_from")
    )
    return {
        **row,
        "offer_id": UUID(d["offer_id"]),
        "offer_version": d["offer_version"],
        "offer_name": d["offer_name"],
        "monthly_fee": Decimal(d["monthly_fee"]),
        "plan_effective_from": date.fromisoformat(d["effective_date"]),
        "timeline": timeline,
        **_touched(event),
    }


def document_issued(row: Row, event: CloudEvent) -> Row:
    d = event.data
    entry = {
        "document_id": d["document_id"],
        "reason": d["reason"],
        "sha256": d["sha256"],
        "size": d["size"],
        "issued_at": event.time.isoformat(),
    }
    return {**row, "documents": [*row["documents"], entry], **_touched(event)}


def status_change(status: str):
    def fold(row: Row, event: CloudEvent) -> Row:
        return {
            **row,
            "status": status,
            "status_since": date.fromisoformat(event.data["on"]),
            **_touched(event),
        }

    return fold


def terminated(row: Row, event: CloudEvent) -> Row:
    return {
        **status_change("terminated")(row, event),
        "early_termination_charge": Decimal(event.data["early_termination_charge"]),
    }


CREATED_BY = "ContractProvisioned"
FOLDS = {
    CREATED_BY: provisioned,
    "ContractActivated": status_change("active"),
    "ContractSuspended": status_change("suspended"),
    "ContractResumed": status_change("active"),
    "ContractTerminated": terminated,
    "ContractPlanChanged": plan_changed,
    "ContractDocumentIssued": document_issued,
}


async def _gather(conn: asyncpg.Connection, event: CloudEvent) -> None:
    gathered(NAME).setdefault("events", []).append(event)


async def _write_rows(conn: asyncpg.Connection, gathered_now: dict[str, list[CloudEvent]]) -> None:
    events = gathered_now["events"]
    rows: dict[UUID, Row] = {}
    if earlier := carried_over(events, CREATED_BY):
        rows.update(
            {
                r["contract_id"]: _row(r)
                for r in await conn.fetch(
                    f"SELECT * FROM {TABLE} WHERE contract_id = ANY($1::uuid[])", earlier
                )
            }
        )
    for event in events:
        row = rows.get(event.aggregate_id)
        # a change to an unknown contract changes nothing
        if row is not None or event.event_name == CREATED_BY:
            rows[event.aggregate_id] = FOLDS[event.event_name](row, event)
    await conn.executemany(_UPSERT, [_stored(row) for row in rows.values()])


def _stored(row: Row) -> tuple:
    return tuple(orjson.dumps(row[c]).decode() if c in JSON_COLUMNS else row[c] for c in COLUMNS)


PROJECTION = Projection(
    name=NAME,
    aggregates=("contract",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={name: _gather for name in FOLDS},
    flush=_write_rows,
    version=2,  # brought_by
)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return {
        **dict(record),
        "timeline": orjson.loads(record["timeline"]),
        "documents": orjson.loads(record["documents"]),
    }


async def find(conn: asyncpg.Connection, contract_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE contract_id = $1", contract_id)
    return _row(row) if row else None


async def search(
    conn: asyncpg.Connection,
    *,
    client_id=None,
    service=None,
    status=None,
    offer_id=None,
    brought_by=None,
    limit: int,
    offset: int,
):
    equals = {
        "client_id": client_id,
        "service": service,
        "status": status,
        "offer_id": offer_id,
        "brought_by": brought_by,
    }
    rows, total = await filtered_page(
        conn, TABLE, equals=equals, order_by="provisioned_at, contract_id", limit=limit, offset=offset
    )
    return [_row(r) for r in rows], total
