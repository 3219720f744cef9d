"""Applies CloudEvents to every interested read model, one transaction per batch.

Used by the Kafka consumer, by the in-process relay and by replay: one code path.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Iterable, Sequence

import asyncpg

from infra.kernel import metrics
from infra.kernel.database import unavailable
from infra.kernel.faults import crash_point
from projections import dead_letters, tracking, versions
from projections.base import SCHEMA, Projection, gathering
from projections.statement_runs import StatementRuns
from schemas.envelope import CloudEvent

log = logging.getLogger(__name__)


RETRY_DELAYS_S = (0.1, 0.5)  # a batch that fails for another reason than the database is tried again after


class Projector:
    def __init__(self, pool: asyncpg.Pool, projections: Iterable[Projection]) -> None:
        self.pool = pool
        self.projections = tuple(projections)

    async def apply_batch(self, events: Sequence[CloudEvent]) -> int:
        """Applies the events atomically; returns how many (event, projection) pairs took effect. A batch
        that keeps failing (not for want of the database, which raises) is applied event by event, and
        what still fails is parked (projections/dead_letters.py) so that the partition moves on."""
        if not events:
            return 0
        for delay in (*RETRY_DELAYS_S, None):
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    if await dead_letters.blocked(conn, [e.aggregate_id for e in events]):
                        break  # events held behind a parked one: the careful path parks them too
                    applied = await apply_events(conn, self.projections, events)
                metrics.projected.add(applied)
                return applied
            except Exception as error:
                if unavailable(error) or delay is None:
                    if unavailable(error):
                        raise
                    log.warning("projection batch failed (%s); applying it event by event", _brief(error))
                    break
                await asyncio.sleep(delay)
        return await self._apply_one_by_one(events)

    async def _apply_one_by_one(self, events: Sequence[CloudEvent]) -> int:
        count = 0
        async with self.pool.acquire() as conn, conn.transaction():
            held = await dead_letters.blocked(conn, [e.aggregate_id for e in events])
            for event in events:
                for projection in (p for p in self.projections if p.wants(event)):
                    consumer = dead_letters.consumer_of(projection)
                    if (consumer, event.aggregate_id) in held:
                        reason = f"held behind an earlier parked event of {event.aggregatetype} {event.aggregate_id}"
                        await dead_letters.park(conn, consumer, event, reason, held=True)
                        continue
                    try:
                        async with conn.transaction():  # a savepoint: a failure undoes this pair only
                            count += await apply_events(conn, [projection], [event])
                    except Exception as error:
                        if unavailable(error):
                            raise
                        log.error(
                            "projection %s: event %s (%s %s v%d) parked: %s",
                            projection.name,
                            event.id,
                            event.aggregatetype,
                            event.aggregate_id,
                            event.aggregateversion,
                            _brief(error),
                        )
                        await dead_letters.park(conn, consumer, event, _brief(error), held=False)
                        held.add((consumer, event.aggregate_id))
            await tracking.record(
                conn, {}, [p.name for p in self.projections], max(e.position for e in events)
            )
        metrics.projected.add(count)
        return count


def _brief(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


async def migrate(conn: asyncpg.Connection, projections: Iterable[Projection]) -> list[Projection]:
    """Creates what every read model shares; returns the read models to rebuild from the log, whose
    recorded version differs from their code's (their tables are left alone until then)."""
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    await conn.execute(tracking.DDL)
    await conn.execute(versions.DDL)
    return await versions.stale(conn, projections)


async def apply_events(
    conn: asyncpg.Connection,
    projections: Sequence[Projection],
    events: Sequence[CloudEvent],
    rebuilt: tracking.Rebuilt | None = None,
) -> int:
    """Applies the events in log order to every projection that wants them, skipping those already applied.
    `rebuilt`: a rebuild's tracking, kept in memory across its batches instead of read and written per batch."""
    interested = [p for p in projections if any(p.wants(e) for e in events)]
    runs = StatementRuns(conn)
    async with gathering(runs, interested):
        count, applied = await _apply_in_order(runs, interested, events, rebuilt)
    await runs.flush()
    if rebuilt is not None:
        rebuilt.add(applied)
    else:
        await tracking.record(conn, applied, [p.name for p in projections], max(e.position for e in events))
    return count


async def _apply_in_order(
    conn: StatementRuns,
    interested: Sequence[Projection],
    events: Sequence[CloudEvent],
    rebuilt: tracking.Rebuilt | None,
) -> tuple[int, tracking.Applied]:
    if rebuilt is not None:
        seen = rebuilt.seen
    else:
        seen = await tracking.lock_versions(
            conn, {p.name: [e.aggregate_id for e in events if p.wants(e)] for p in interested}
        )
    applied: tracking.Applied = {p.name: {} for p in interested}
    count = 0
    midpoint = len(events) // 2
    for index, event in enumerate(events):
        if index == midpoint and index > 0:
            crash_point("projection.mid_batch")
        aggregate_id = event.aggregate_id
        for projection in interested:
            if projection.wants(event) and event.aggregateversion > seen[projection.name][aggregate_id]:
                await _apply(conn, projection, event)
                seen[projection.name][aggregate_id] = event.aggregateversion
                applied[projection.name][aggregate_id] = (event.aggregateversion, event.position)
                count += 1
    return count, applied


async def _apply(conn: StatementRuns, projection: Projection, event: CloudEvent) -> None:
    handler = projection.handlers.get(event.event_name)
    if handler is not None:
        await handler(conn, event)
