"""Read-your-writes: wait until a read model has applied an aggregate's events up to a log position."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import asyncpg

from infra.eventstore.store import EVENTS_TABLE
from projections import tracking


class PositionAhead(LookupError):
    """A log position no command has been answered with: beyond any the log has given out, no wait can
    reach it."""


# The highest position ever given out, from the log's sequence: unlike max(notification_id), it does
# not go down when an erasure deletes the last events, so a token answered before one stays valid.
_NEEDED = f"""SELECT pg_sequence_last_value(pg_get_serial_sequence('{EVENTS_TABLE}', 'notification_id')::regclass),
                      (SELECT max(originator_version) FROM {EVENTS_TABLE}
                        WHERE originator_id = $1 AND notification_id <= $2)"""


async def version_at(conn: asyncpg.Connection, aggregate_id: UUID, position: int) -> int:
    """The aggregate's version at log position `position`; PositionAhead if the log has not reached it."""
    head, version = await conn.fetchrow(_NEEDED, aggregate_id, position)
    if position > (head or 0):
        raise PositionAhead(position)
    return version or 0


async def wait_until_projected(
    pool: asyncpg.Pool, projection: str, aggregate_id: UUID, position: int, timeout_s: float
) -> bool:
    """True once the projection reflects every event of the aggregate at or before `position`; False if it
    has not within `timeout_s`. A pooled connection is held only while asking, never across the wait, so
    waiting callers cannot take the pool from everyone else."""
    async with pool.acquire() as conn:
        needed = await version_at(conn, aggregate_id, position)
        if needed == 0 or await tracking.applied_version(conn, projection, aggregate_id) >= needed:
            return True
    deadline = time.monotonic() + timeout_s
    delay = 0.005
    while time.monotonic() < deadline:
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.1)
        async with pool.acquire() as conn:
            if await tracking.applied_version(conn, projection, aggregate_id) >= needed:
                return True
    return False
