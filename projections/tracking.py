"""Which events each projection has applied, recorded in the same transaction as the change.

A projection claims (projection, aggregate, version) with one upsert. The upsert only wins when
the version is newer than the one recorded, so a redelivered or replayed event has no effect,
and two consumers racing on one aggregate serialise on the row.
"""

from __future__ import annotations

import asyncpg

from projections.base import SCHEMA

DDL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.projection_tracking (
    projection   text   NOT NULL,
    aggregate_id uuid   NOT NULL,
    version      int    NOT NULL,
    position     bigint NOT NULL,
    PRIMARY KEY (projection, aggregate_id)
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.projection_progress (
    projection text   PRIMARY KEY,
    position   bigint NOT NULL
);
"""

_CLAIM = f"""
INSERT INTO {SCHEMA}.projection_tracking (projection, aggregate_id, version, position)
VALUES ($1, $2, $3, $4)
ON CONFLICT (projection, aggregate_id) DO UPDATE
    SET version = EXCLUDED.version, position = EXCLUDED.position
    WHERE projection_tracking.version < EXCLUDED.version
RETURNING 1
"""

_ADVANCE = f"""
INSERT INTO {SCHEMA}.projection_progress (projection, position) VALUES ($1, $2)
ON CONFLICT (projection) DO UPDATE SET position = GREATEST(projection_progress.position, EXCLUDED.position)
"""


async def claim(conn: asyncpg.Connection, projection: str, aggregate_id, version: int, position: int) -> bool:
    return await conn.fetchval(_CLAIM, projection, aggregate_id, version, position) is not None


async def advance(conn: asyncpg.Connection, projection: str, position: int) -> None:
    await conn.execute(_ADVANCE, projection, position)


async def applied_version(conn: asyncpg.Connection, projection: str, aggregate_id) -> int:
    version = await conn.fetchval(
        f"SELECT version FROM {SCHEMA}.projection_tracking WHERE projection = $1 AND aggregate_id = $2",
        projection,
        aggregate_id,
    )
    return version or 0


async def forget(conn: asyncpg.Connection, projection: str) -> None:
    await conn.execute(f"DELETE FROM {SCHEMA}.projection_tracking WHERE projection = $1", projection)
    await conn.execute(f"DELETE FROM {SCHEMA}.projection_progress WHERE projection = $1", projection)
