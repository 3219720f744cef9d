"""Which events each projection has applied, recorded in the same transaction as the change.

For a batch, the projector first locks the tracking rows of every (projection, aggregate) pair
the batch touches and reads the versions they record (one statement, creating missing rows).
Events at or below the recorded version are skipped, so a redelivered or replayed event has no
effect; two consumers racing on one aggregate serialise on its locked row. The new versions and
the batch's position are written back with one more statement: two round trips per batch,
whatever its size and however many read models it touches.
"""

from __future__ import annotations

from collections import defaultdict
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
SELECT projection, aggregate_id, 0, 0 FROM unnest($1::text[], $2::uuid[]) AS wanted(projection, aggregate_id)
ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = projection_tracking.version
RETURNING projection, aggregate_id, version
"""

# The versions recorded and the position reached, in one statement (data-modifying CTE).
_RECORD = f"""
WITH recorded AS (
    UPDATE {SCHEMA}.projection_tracking AS t SET version = applied.version, position = applied.position
    FROM unnest($1::text[], $2::uuid[], $3::int[], $4::bigint[]) AS applied(projection, aggregate_id, version, position)
    WHERE t.projection = applied.projection AND t.aggregate_id = applied.aggregate_id
)
INSERT INTO {SCHEMA}.projection_progress (projection, position) SELECT unnest($5::text[]), $6
ON CONFLICT (projection) DO UPDATE SET position = GREATEST(projection_progress.position, EXCLUDED.position)
"""

Applied = dict[
    str, dict[UUID, tuple[int, int]]
]  # projection -> aggregate -> (version, position) last applied


async def lock_versions(
    conn: asyncpg.Connection, wanted: dict[str, Iterable[UUID]]
) -> dict[str, dict[UUID, int]]:
    """Locks the tracking rows of these (projection, aggregates) and returns the version each has applied (0: none)."""
    # One order for every consumer, so two transactions locking overlapping batches cannot deadlock.
    pairs = sorted({(projection, aggregate_id) for projection, ids in wanted.items() for aggregate_id in ids})
    rows = await conn.fetch(_LOCK, [p for p, _ in pairs], [a for _, a in pairs])
    versions: dict[str, dict[UUID, int]] = {projection: {} for projection in wanted}
    for row in rows:
        versions[row["projection"]][row["aggregate_id"]] = row["version"]
    return versions


async def record(conn: asyncpg.Connection, applied: Applied, projections: list[str], position: int) -> None:
    """Records, per projection and aggregate, the (version, position) of the last event applied, and
    advances every one of `projections` to `position`."""
    rows = [
        (projection, aggregate_id, *last)
        for projection, by_id in applied.items()
        for aggregate_id, last in by_id.items()
    ]
    columns = [list(column) for column in zip(*rows)] if rows else [[], [], [], []]
    await conn.execute(_RECORD, *columns, projections, position)


class Rebuilt:
    """The tracking of a rebuild, kept in memory and written once at its end: a rebuild reads the log once,
    in order, into emptied tables it holds locked, so there is nothing to lock or skip per batch."""

    def __init__(self) -> None:
        self.seen: dict[str, dict[UUID, int]] = defaultdict(lambda: defaultdict(int))
        self.applied: Applied = defaultdict(dict)

    def add(self, applied: Applied) -> None:
        for projection, by_id in applied.items():
            self.applied[projection].update(by_id)

    async def write(self, conn: asyncpg.Connection, projections: list[str], position: int) -> None:
        rows = [(p, a, *last) for p, by_id in self.applied.items() for a, last in by_id.items()]
        columns = [list(column) for column in zip(*rows)] if rows else [[], [], [], []]
        await conn.execute(
            f"""INSERT INTO {SCHEMA}.projection_tracking (projection, aggregate_id, version, position)
                SELECT * FROM unnest($1::text[], $2::uuid[], $3::int[], $4::bigint[])""",
            *columns,
        )
        await record(conn, {}, projections, position)


async def applied_version(conn: asyncpg.Connection, projection: str, aggregate_id) -> int:
    """The aggregate's version that `projection` has applied (0: none): what its row shows, an ETag."""
    version = await conn.fetchval(
        f"SELECT version FROM {SCHEMA}.projection_tracking WHERE projection = $1 AND aggregate_id = $2",
        projection,
        aggregate_id,
    )
    return version or 0


async def forget(conn: asyncpg.Connection, projection: str) -> None:
    await conn.execute(f"DELETE FROM {SCHEMA}.projection_tracking WHERE projection = $1", projection)
    await conn.execute(f"DELETE FROM {SCHEMA}.projection_progress WHERE projection = $1", projection)


async def skip_to(
    conn: asyncpg.Connection, projection: str, aggregate_id: UUID, version: int, position: int
) -> None:
    """Records an event as applied without applying it (a dead letter discarded on purpose)."""
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.projection_tracking (projection, aggregate_id, version, position)
            VALUES ($1, $2, $3, $4) ON CONFLICT (projection, aggregate_id)
            DO UPDATE SET version = GREATEST(projection_tracking.version, EXCLUDED.version),
                          position = GREATEST(projection_tracking.position, EXCLUDED.position)""",
        projection,
        aggregate_id,
        version,
        position,
    )
