"""Read model: which privileged actions were refused, to whom, and when?"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson

from projections.base import SCHEMA, Projection
from projections.paging import filtered_page
from schemas.envelope import CloudEvent

NAME = "access_refusals"
TABLE = f"{SCHEMA}.access_refusals"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    refusal_id     uuid PRIMARY KEY,
    actor          text NOT NULL,
    role           text NOT NULL,
    method         text NOT NULL,
    path           text NOT NULL,
    allowed_roles  jsonb NOT NULL,
    correlation_id text NOT NULL,
    refused_at     timestamptz NOT NULL,
    repeats        int NOT NULL DEFAULT 0,
    last_refused_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS access_refusals_time ON {TABLE} (refused_at);
"""


async def on_refused(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        f"INSERT INTO {TABLE} (refusal_id, actor, role, method, path, allowed_roles, correlation_id, refused_at, "
        "last_refused_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        event.aggregate_id,
        d["actor"],
        d["role"],
        d["method"],
        d["path"],
        orjson.dumps(d["allowed_roles"]).decode(),
        event.correlationid,
        event.time,
    )


async def on_repeated(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"UPDATE {TABLE} SET repeats = repeats + $2, last_refused_at = $3 WHERE refusal_id = $1",
        event.aggregate_id,
        event.data["times"],
        event.time,
    )


PROJECTION = Projection(
    name=NAME,
    aggregates=("access",),
    ddl=DDL,
    tables=(TABLE,),
    handlers={"PrivilegedActionRefused": on_refused, "PrivilegedActionRefusalsRepeated": on_repeated},
    version=2,  # repeats and last_refused_at
)


async def search(
    conn: asyncpg.Connection, *, actor=None, role=None, since: datetime | None = None, limit: int, offset: int
):
    conditions = [("refused_at >= {}", since)] if since is not None else []
    rows, total = await filtered_page(
        conn,
        TABLE,
        equals={"actor": actor, "role": role},
        conditions=conditions,
        order_by="refused_at, refusal_id",
        limit=limit,
        offset=offset,
    )
    return [{**dict(r), "allowed_roles": orjson.loads(r["allowed_roles"])} for r in rows], total
