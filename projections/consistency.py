"""Read-your-writes: wait until a read model has applied an aggregate's events up to a log position."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import asyncpg

from infra.eventstore.store import EVENTS_TABLE
from projections import tracking


async def version_at(conn: asyncpg.Connection, aggregate_id: UUID, position: int) -> int:
    version = await conn.fetchval(
        f"SELECT max(originator_version) FROM {EVENTS_TABLE} WHERE originator_id = $1 AND notification_id <= $2",
        aggregate_id,
        position,
    )
    return version or 0


async def wait_until_projected(
    pool: asyncpg.Pool, projection: str, aggregate_id: UUID, position: int, timeout_s: float
) -> bool:
    """True once the projection reflects every event of the aggregate at or before `position`."""
    async with pool.acquire() as conn:
        needed = await version_at(conn, aggregate_id, position)
        if needed == 0:
            return True
        deadline = time.monotonic() + timeout_s
        delay = 0.005
        while await tracking.applied_version(conn, projection, aggregate_id) < needed:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)
    return True
