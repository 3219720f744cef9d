"""Which events each projection has applied, recorded in the same transaction as the change.

For a batch, a projection first locks the tracking rows of every aggregate the batch touches and
reads the versions they record (one statement, creating missing rows). Events at or below the
recorded version are skipped, so a redelivered or replayed event has no effect; two consumers
racing on one aggregate serialise on its locked row. The new versions are written back with one
more statement: two round trips per projection and batch, whatever the batch's size.
"""

from __future__ import annotations

from typing import Iterable
from uuid import UUID

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

# The no-op DO UPDATE locks an existing row and, under READ COMMITTED, returns its latest
# committed version even when another consumer committed it while this one waited.
_LOCK = f"""
INSERT INTO {SCHEMA}.projection_tracking (projection, aggregate_id, version, position)
SELECT $1, aggregate_id, 0, 0 FROM unnest($2::uuid[]) AS aggregate_id
ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = projection_tracking.version
RETURNING aggregate_id, version
"""

_RECORD = f"""
UPDATE {SCHEMA}.projection_tracking AS t SET version = applied.version, position = applied.position
FROM unnest($2::uuid[], $3::int[], $4::bigint[]) AS applied(aggregate_id, version, position)
WHERE t.projection = $1 AND t.aggregate_id = applied.aggregate_id
"""

_ADVANCE = f"""
INSERT INTO {SCHEMA}.projection_progress (projection, position) SELECT unnest($1::text[]), $2
ON CONFLICT (projection) DO UPDATE SET position = GREATEST(projection_progress.position, EXCLUDED.position)
"""


async def lock_versions(conn: asyncpg.Connection, projection: str, aggregate_ids: Iterable[UUID]) -> dict[UUID, int]:
    """Locks the tracking rows of these aggregates and returns the version each has applied (0: none)."""
    # One order for every consumer, so two transactions locking overlapping batches cannot deadlock.
    rows = await conn.fetch(_LOCK, projection, sorted(set(aggregate_ids)))
    return {row["aggregate_id"]: row["version"] for row in rows}


async def record(conn: asyncpg.Connection, projection: str, applied: dict[UUID, tuple[int, int]]) -> None:
    """Records, per aggregate, the (version, position) of the last event applied."""
    if applied:
        ids = list(applied)
        await conn.execute(_RECORD, projection, ids, [applied[i][0] for i in ids], [applied[i][1] for i in ids])


async def advance(conn: asyncpg.Connection, projections: list[str], position: int) -> None:
    await conn.execute(_ADVANCE, projections, position)


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
