"""Rebuilds read models from the event store, through the same handlers as live delivery.

The whole rebuild is one transaction: readers keep the old rows until it commits, and a live
consumer blocks on the dropped tables, then finds the replayed tracking and skips what is done.
"""

from __future__ import annotations

import asyncio
from typing import Callable, Sequence

import asyncpg

from infra.eventstore.store import PostgresEventStore
from projections import tracking, versions
from projections.base import SCHEMA, Projection
from projections.projector import apply_events
from schemas.envelopes import public_cloudevents

PAGE = 1000


async def replay(
    store: PostgresEventStore,
    pool: asyncpg.Pool,
    projections: Sequence[Projection],
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    async with pool.acquire() as conn, conn.transaction():
        return await rebuild(conn, store, projections, on_progress)


async def rebuild(
    conn: asyncpg.Connection,
    store: PostgresEventStore,
    projections: Sequence[Projection],
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Drops and recreates the read models' tables and applies the whole log to them, in the caller's
    transaction; records their versions. Returns how many events were applied."""
    head = await asyncio.to_thread(store.head)
    replayed = 0
    await _lock_everything_first(conn, projections)
    for projection in projections:
        for table in projection.tables:
            await conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        await tracking.forget(conn, projection.name)
        await conn.execute(projection.ddl)
    position = 0
    while position < head:
        notifications = await asyncio.to_thread(store.notifications, position, PAGE)
        notifications = [n for n in notifications if n.id <= head]
        if not notifications:
            break
        events = public_cloudevents(notifications, store.decode_state)
        if events:
            await apply_events(conn, projections, events)
        position = notifications[-1].id
        replayed += len(events)
        on_progress(position, head)
    await versions.record(conn, projections)
    return replayed


async def _lock_everything_first(conn: asyncpg.Connection, projections: Sequence[Projection]) -> None:
    """Takes every lock the rebuild needs before changing anything.

    A live consumer locks tracking rows, then its read model tables. Dropping tables first and
    touching tracking afterwards could close a cycle with it (a deadlock that aborts one side);
    taking the tracking tables first, then the read models, in one statement cannot.
    """
    tables = [f"{SCHEMA}.projection_tracking", f"{SCHEMA}.projection_progress"]
    tables += [t for p in projections for t in p.tables]
    existing = [t for t in tables if await conn.fetchval("SELECT to_regclass($1)", t)]
    await conn.execute(f"LOCK TABLE {', '.join(existing)} IN ACCESS EXCLUSIVE MODE")
