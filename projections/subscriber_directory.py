"""Read model: which service lines exist, whose are they, and which number do they carry?"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from projections.base import SCHEMA, Projection, gathered
from projections.paging import filtered_page
from schemas.envelope import CloudEvent

NAME = "subscriber_directory"
TABLE = f"{SCHEMA}.subscriber_directory"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    subscriber_id uuid PRIMARY KEY,
    client_id     uuid NOT NULL,
    service       text NOT NULL,
    number        text NOT NULL,
    status        text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriber_directory_client ON {TABLE} (client_id);
CREATE INDEX IF NOT EXISTS subscriber_directory_number ON {TABLE} (number);
"""


# A line's row is written at the end of its batch (`_write_created`), with any status change that
# followed in the same batch: one pipelined insert per batch instead of a round trip per line.
_COLUMNS = ("subscriber_id", "client_id", "service", "number", "status", "created_at", "updated_at")
_PLACEHOLDERS = ", ".join(f"${i}" for i in range(1, len(_COLUMNS) + 1))
_INSERT = f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({_PLACEHOLDERS})"


async def on_created(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    gathered(NAME)[event.aggregate_id] = {
        "subscriber_id": event.aggregate_id,
        "client_id": UUID(d["client_id"]),
        "service": d["service"],
        "number": d["number"],
        "status": "active",
        "created_at": event.time,
        "updated_at": event.time,
    }


async def on_status_changed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    if (
        created := gathered(NAME).get(event.aggregate_id)
    ) is not None:  # created in this batch, not written yet
        created.update(status=event.data["status"], updated_at=event.time)
        return
    await conn.execute(
        f"UPDATE {TABLE} SET status = $2, updated_at = $3 WHERE subscriber_id = $1",
        event.aggregate_id,
        event.data["status"],
        event.time,
    )


async def _write_created(conn: asyncpg.Connection, created: dict[UUID, dict[str, Any]]) -> None:
    await conn.executemany(_INSERT, [tuple(row[c] for c in _COLUMNS) for row in created.values()])


PROJECTION = Projection(
    name=NAME,
    aggregates=("subscriber",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={"SubscriberCreated": on_created, "SubscriberStatusChanged": on_status_changed},
    flush=_write_created,
)


async def find(conn: asyncpg.Connection, subscriber_id: UUID) -> dict[str, Any] | None:
    record = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE subscriber_id = $1", subscriber_id)
    return dict(record) if record else None


async def search(
    conn: asyncpg.Connection,
    *,
    client_id=None,
    service=None,
    status=None,
    number=None,
    limit: int,
    offset: int,
):
    equals = {"client_id": client_id, "service": service, "status": status, "number": number}
    rows, total = await filtered_page(
        conn, TABLE, equals=equals, order_by="created_at, subscriber_id", limit=limit, offset=offset
    )
    return [dict(r) for r in rows], total
