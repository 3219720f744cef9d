"""Rebuilds read models from the event store, through the same handlers as live delivery.

The whole rebuild is one transaction. `mtf replay` (`replay`) empties the tables with DELETE under an
EXCLUSIVE lock, which stops writers but not readers: queries go on answering from the old rows, as
committed before, until the rebuild commits and they see the new ones at once. A live consumer waits
on the lock, then finds the replayed tracking and skips what is done. A read model whose tables
changed shape (a new version, at start-up) is dropped and created anew instead, under an ACCESS
EXCLUSIVE lock that readers wait on too: its old tables cannot answer the new code's queries anyway.
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
        return await rebuild(conn, store, projections, on_progress, replace_tables=False)


async def rebuild(
    conn: asyncpg.Connection,
    store: PostgresEventStore,
    projections: Sequence[Projection],
    on_progress: Callable[[int, int], None] = lambda done, total: None,
    *,
    replace_tables: bool = True,
) -> int:
    """Empties the read models' tables (or, `replace_tables`, drops and recreates them) and applies the
    whole log to them, in the caller's transaction; records their versions. Returns how many events
    were applied."""
    head = await asyncio.to_thread(store.head)
    replayed = 0
    await _lock_everything_first(conn, projections, "ACCESS EXCLUSIVE" if replace_tables else "EXCLUSIVE")
    for projection in projections:
        for table in projection.tables:
            if replace_tables:
                await conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
            else:
                await conn.execute(f"DELETE FROM {table}")
        await tracking.forget(conn, projection.name)
        if replace_tables:
            await conn.execute(projection.ddl)
    position = 0
    rebuilt = tracking.Rebuilt()
    while position < head:
        notifications = await asyncio.to_thread(store.notifications, position, PAGE)
        notifications = [n for n in notifications if n.id <= head]
        if not notifications:
            break
        events = public_cloudevents(notifications, store.decode_state)
        if events:
            await apply_events(conn, projections, events, rebuilt)
        position = notifications[-1].id
        replayed += len(events)
        on_progress(position, head)
    await rebuilt.write(conn, [p.name for p in projections], position)
    await versions.record(conn, projections)
    return replayed


async def _lock_everything_first(
    conn: asyncpg.Connection, projections: Sequence[Projection], mode: str
) -> None:
    """Takes every lock the rebuild needs before changing anything.

    A live consumer locks tracking rows, then its read model tables. Dropping tables first and
    touching tracking afterwards could close a cycle with it (a deadlock that aborts one side);
    taking the tracking tables first, then the read models, in one statement cannot.
    """
    tables = [f"{SCHEMA}.projection_tracking", f"{SCHEMA}.projection_progress"]
    tables += [t for p in projections for t in p.tables]
    existing = [t for t in tables if await conn.fetchval("SELECT to_regclass($1)", t)]
    await conn.execute(f"LOCK TABLE {', '.join(existing)} IN {mode} MODE")
