"""Events a read model could not apply, parked so that the rest of its partition moves on.

When a batch fails for another reason than the database being away, the projector retries it, then
applies it event by event and read model by read model, each in a savepoint: what fails is parked here with
its error, the rest is applied. A parked event's later events for the same read model and aggregate are
parked behind it (`held`), so the read model misses them for that aggregate instead of folding them onto a
gap: it is degraded for that aggregate, never silently wrong. After a fix, a retry applies the aggregate's
parked events in order, through the same handlers and tracking; a discard (with a reason) accepts the gap
for the first of them and lets the held ones be retried. The table keeps positions and ids only: the
events stay in the log, where a retry reads them.
"""

from __future__ import annotations

from typing import Any, Sequence
from uuid import UUID

import asyncpg

from infra.storage import dead_letters as stored
from infra.storage.dead_letters import TABLE
from projections.base import Projection
from schemas.envelope import CloudEvent

CONSUMER_PREFIX = "projection:"


def consumer_of(projection: Projection) -> str:
    return CONSUMER_PREFIX + projection.name


async def blocked(conn: asyncpg.Connection, aggregate_ids: Sequence[UUID]) -> set[tuple[str, UUID]]:
    """The (consumer, aggregate) pairs among these aggregates that have a parked event."""
    rows = await conn.fetch(
        f"SELECT DISTINCT consumer, aggregate_id FROM {TABLE} WHERE status = 'parked' AND aggregate_id = ANY($1)",
        list(set(aggregate_ids)),
    )
    return {(r["consumer"], r["aggregate_id"]) for r in rows}


async def park(conn: asyncpg.Connection, consumer: str, event: CloudEvent, error: str, *, held: bool) -> None:
    await stored.park(
        conn,
        consumer,
        event_id=event.id,
        event_type=event.event_name,
        aggregate_type=event.aggregatetype,
        aggregate_id=event.aggregate_id,
        aggregate_version=event.aggregateversion,
        position=event.position,
        error=error,
        held=held,
    )


async def listing(
    conn: asyncpg.Connection, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT * FROM {TABLE} WHERE $1::text IS NULL OR status = $1 ORDER BY id LIMIT $2 OFFSET $3",
        status,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def find(conn: asyncpg.Connection, parked_id: int) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE id = $1", parked_id)
    return dict(row) if row else None


async def open_behind(conn: asyncpg.Connection, consumer: str, aggregate_id: UUID) -> list[dict[str, Any]]:
    """The pair's parked events, oldest first (the first is the one that failed; the others wait on it)."""
    rows = await conn.fetch(
        f"""SELECT * FROM {TABLE} WHERE consumer = $1 AND aggregate_id = $2 AND status = 'parked'
            ORDER BY aggregate_version FOR UPDATE""",
        consumer,
        aggregate_id,
    )
    return [dict(r) for r in rows]


async def parked_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Parked events per consumer (what /ready reports)."""
    rows = await conn.fetch(
        f"SELECT consumer, count(*) FROM {TABLE} WHERE status = 'parked' GROUP BY consumer"
    )
    return {r["consumer"]: r["count"] for r in rows}
