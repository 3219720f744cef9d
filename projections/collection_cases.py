"""Read model: which collection cases are open, for whom, and what has been done on each?"""

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

NAME = "collection_cases"
TABLE = f"{SCHEMA}.collection_cases"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    case_id        uuid PRIMARY KEY,
    client_id      uuid NOT NULL,
    status         text NOT NULL,
    opened_on      date NOT NULL,
    days_past_due  int NOT NULL,
    overdue        numeric(14, 2) NOT NULL,
    promise_date   date,
    promise_amount numeric(14, 2),
    history        jsonb NOT NULL DEFAULT '[]',
    updated_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS collection_cases_client ON {TABLE} (client_id);
CREATE INDEX IF NOT EXISTS collection_cases_status ON {TABLE} (status);
"""


def _entry(event: CloudEvent, **fields: Any) -> str:
    entry = {"event": event.event_name, "at": event.time.isoformat(), "actor": event.actor, **fields}
    return orjson.dumps([entry]).decode()


async def on_opened(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"""INSERT INTO {TABLE} (case_id, client_id, status, opened_on, days_past_due, overdue, history, updated_at)
            VALUES ($1, $2, 'open', $3, $4, $5, $6, $7)""",
        event.aggregate_id,
        UUID(d["client_id"]),
        date.fromisoformat(d["opened_on"]),
        d["days_past_due"],
        Decimal(d["overdue"]),
        _entry(event, on=d["opened_on"], days_past_due=d["days_past_due"], overdue=d["overdue"]),
        event.time,
    )


async def on_action(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    promise = d["kind"] == "promise_to_pay"
    await conn.execute(
        f"""UPDATE {TABLE} SET
                status = CASE WHEN $2 THEN 'promise_to_pay' WHEN status = 'open' THEN 'in_progress' ELSE status END,
                promise_date = CASE WHEN $2 THEN $3 ELSE promise_date END, promise_amount = CASE WHEN $2 THEN
                $4 ELSE promise_amount END,
                history = history || $5::jsonb, updated_at = $6 WHERE case_id = $1""",
        event.aggregate_id,
        promise,
        date.fromisoformat(d["promise_date"]) if d["promise_date"] else None,
        Decimal(d["promise_amount"]) if d["promise_amount"] else None,
        _entry(event, **d),
        event.time,
    )


def _status(status: str, clear_promise: bool = False):
    async def handle(conn: asyncpg.Connection, event: CloudEvent) -> None:
        await conn.execute(
            f"""UPDATE {TABLE} SET status = $2, history = history || $3::jsonb, updated_at = $4,
                    promise_date = CASE WHEN $5 THEN NULL ELSE promise_date END,
                    promise_amount = CASE WHEN $5 THEN NULL ELSE promise_amount END WHERE case_id = $1""",
            event.aggregate_id,
            status,
            _entry(event, **event.data),
            event.time,
            clear_promise,
        )

    return handle


PROJECTION = Projection(
    name=NAME,
    aggregates=("collection_case",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={
        "CollectionCaseOpened": on_opened,
        "CollectionActionRecorded": on_action,
        "CollectionPromiseBroken": _status("in_progress", clear_promise=True),
        "CollectionCaseResolved": _status("resolved"),
        "CollectionCaseWrittenOff": _status("written_off"),
    },
)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return {**dict(record), "history": orjson.loads(record["history"])}


async def find(conn: asyncpg.Connection, case_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE case_id = $1", case_id)
    return _row(row) if row else None


async def search(conn: asyncpg.Connection, *, client_id=None, status=None, limit: int, offset: int):
    rows, total = await filtered_page(
        conn,
        TABLE,
        equals={"client_id": client_id, "status": status},
        order_by="opened_on, case_id",
        limit=limit,
        offset=offset,
    )
    return [_row(r) for r in rows], total
