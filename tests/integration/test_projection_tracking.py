"""Batched tracking on real PostgreSQL: each event takes effect once per projection, however it is redelivered."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import asyncpg
import pytest

from infra.storage.schema_migrations import apply_migrations
from projections.base import SCHEMA, Projection
from projections.projector import Projector, migrate
from schemas.envelope import CloudEvent
from tests.support import fresh_settings, handmade_event

TABLE = f"{SCHEMA}.tracking_probe"


async def _record(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"INSERT INTO {TABLE} (aggregate_id, version) VALUES ($1, $2)",
        uuid.UUID(event.subject),
        event.aggregateversion,
    )


PROBE = Projection(
    name="tracking_probe",
    aggregates=("probe",),
    ddl=f"CREATE TABLE IF NOT EXISTS {TABLE} (aggregate_id uuid NOT NULL, version int NOT NULL)",
    tables=(TABLE,),
    handlers={"Happened": _record},
)


def _event(aggregate: uuid.UUID, version: int, position: int, aggregate_type: str = "probe") -> CloudEvent:
    return handmade_event(
        aggregate_type,
        "Happened",
        aggregate,
        version,
        position,
        {},
        time=datetime(2026, 11, 29, tzinfo=timezone.utc),
    )


@pytest.fixture
async def projector():
    url = fresh_settings(kafka=False).database_url
    await asyncio.to_thread(apply_migrations, url)  # the dead-letter table the projector reads
    pool = await asyncpg.create_pool(url, min_size=2, max_size=4)
    async with pool.acquire() as conn:
        await migrate(conn, [PROBE])
        await conn.execute(PROBE.ddl)  # the log is empty: nothing to rebuild it from
    yield Projector(pool, [PROBE])
    await pool.close()


async def _applied(projector: Projector) -> list[tuple]:
    async with projector.pool.acquire() as conn:
        return [
            tuple(r)
            for r in await conn.fetch(
                f"SELECT aggregate_id, version FROM {TABLE} ORDER BY aggregate_id, version"
            )
        ]


async def test_redelivery_and_overlapping_batches_take_effect_once(projector):
    a, b = sorted([uuid.uuid4(), uuid.uuid4()])
    first = [_event(a, 1, 1), _event(b, 1, 2), _event(a, 2, 3)]
    assert await projector.apply_batch(first) == 3
    assert await projector.apply_batch(first) == 0
    overlapping = [_event(a, 2, 3), _event(b, 2, 4), _event(a, 3, 5), _event(uuid.uuid4(), 1, 6, "other")]
    assert await projector.apply_batch(overlapping) == 2
    assert await _applied(projector) == [(a, 1), (a, 2), (a, 3), (b, 1), (b, 2)]
    async with projector.pool.acquire() as conn:
        tracked = await conn.fetch(
            f"SELECT aggregate_id, version, position FROM {SCHEMA}.projection_tracking ORDER BY aggregate_id"
        )
        progress = await conn.fetchval(
            f"SELECT position FROM {SCHEMA}.projection_progress WHERE projection = 'tracking_probe'"
        )
    assert [tuple(r) for r in tracked] == [(a, 3, 5), (b, 2, 4)]
    assert progress == 6


async def test_consumers_racing_on_the_same_batch_apply_it_once(projector):
    aggregates = [uuid.uuid4() for _ in range(20)]
    batch = [
        _event(aggregate, version, 1 + i * 3 + version)
        for i, aggregate in enumerate(aggregates)
        for version in (1, 2, 3)
    ]
    # The same events in another order of aggregates: locks are taken in one order, so no deadlock.
    shuffled = sorted(batch, key=lambda e: (e.subject[::-1], e.aggregateversion))
    results = await asyncio.gather(*(projector.apply_batch(b) for b in (batch, shuffled, batch, shuffled)))
    assert sum(results) == len(batch)
    assert len(await _applied(projector)) == len(batch)
