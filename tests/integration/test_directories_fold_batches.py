"""The client and subscriber directories write some rows at the end of a batch: whatever the batches'
boundaries, they must end up as if every event had been written on its own."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest

from infra.eventstore.store import open_event_store
from infra.storage.schema_migrations import apply_migrations
from projections import client_directory, subscriber_directory
from projections.projector import Projector, migrate
from schemas.envelope import CloudEvent
from tests.support import fresh_settings, handmade_event

T0 = datetime(2026, 11, 29, tzinfo=timezone.utc)


class Log:
    def __init__(self) -> None:
        self.position, self.versions = 0, {}

    def event(self, aggregate_type: str, name: str, subject: uuid.UUID, data: dict) -> CloudEvent:
        self.position += 1
        version = self.versions[subject] = self.versions.get(subject, 0) + 1
        time = T0 + timedelta(seconds=self.position)
        return handmade_event(aggregate_type, name, subject, version, self.position, data, time=time)


def _history() -> tuple[list[CloudEvent], uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    log, client, erased, line, other_line = Log(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    registered = {
        "cin": "AB123456",
        "full_name": "Amina",
        "email": "a@x.ma",
        "address": "Rabat",
        "phone": None,
    }
    events = [
        log.event("client", "ClientRegistered", client, registered),
        log.event("client", "ClientRegistered", erased, {**registered, "cin": "CD654321"}),
        log.event(
            "subscriber",
            "SubscriberCreated",
            line,
            {"client_id": str(client), "service": "mobile", "number": "+212612345678"},
        ),
        log.event(
            "client", "ClientContractAdded", client, {"contract_id": str(uuid.uuid4()), "service": "mobile"}
        ),
        log.event("subscriber", "SubscriberStatusChanged", line, {"status": "suspended"}),
        log.event(
            "client", "ClientContractAdded", erased, {"contract_id": str(uuid.uuid4()), "service": "mobile"}
        ),
        log.event("client", "ClientErased", erased, {}),
        log.event(
            "subscriber",
            "SubscriberCreated",
            other_line,
            {"client_id": str(client), "service": "internet", "number": "+212512345678"},
        ),
        log.event(
            "client", "ClientContractAdded", client, {"contract_id": str(uuid.uuid4()), "service": "internet"}
        ),
        log.event("subscriber", "SubscriberStatusChanged", line, {"status": "terminated"}),
        log.event("client", "ClientDetailsUpdated", client, {**registered, "full_name": "Amina B."}),
        log.event(
            "client", "ClientContractAdded", client, {"contract_id": str(uuid.uuid4()), "service": "landline"}
        ),
    ]
    return events, client, erased, line, other_line


@pytest.mark.parametrize("batch", [1, 2, 5, 12])
async def test_rows_are_the_same_whatever_the_batch_boundaries(batch):
    events, client, erased, line, other_line = _history()
    url = fresh_settings(kafka=False).database_url
    await asyncio.to_thread(apply_migrations, url)  # the dead-letter table the projector reads
    # The event store, empty: the client directory opens personal fields there, and falls back to the data
    (await asyncio.to_thread(open_event_store, url)).close()
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        projections = [client_directory.PROJECTION, subscriber_directory.PROJECTION]
        async with pool.acquire() as conn:
            await migrate(conn, projections)
            for projection in projections:  # the log is empty: nothing to rebuild them from
                await conn.execute(projection.ddl)
        projector = Projector(pool, projections)
        for start in range(0, len(events), batch):
            await projector.apply_batch(events[start : start + batch])
        async with pool.acquire() as conn:
            clients = {r["client_id"]: r for r in await conn.fetch(f"SELECT * FROM {client_directory.TABLE}")}
            lines = {
                r["subscriber_id"]: r for r in await conn.fetch(f"SELECT * FROM {subscriber_directory.TABLE}")
            }
    finally:
        await pool.close()
    assert set(clients) == {client}
    assert (clients[client]["contract_count"], clients[client]["full_name"]) == (3, "Amina B.")
    assert clients[client]["updated_at"] == events[-1].time
    assert {i: (r["status"], r["number"]) for i, r in lines.items()} == {
        line: ("terminated", "+212612345678"),
        other_line: ("active", "+212512345678"),
    }
    assert lines[line]["updated_at"] == events[9].time and lines[other_line]["created_at"] == events[7].time
