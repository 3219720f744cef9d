"""The outbox relay: tails the event store's notification log and delivers each event onward.

Position handling is what makes delivery at-least-once: events are sent, the sink confirms
(broker acks, or the projections' transaction commits), and only then is the position saved.
A crash between the two re-sends a batch; consumers drop the duplicates by version.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol, Sequence

import asyncpg

from infra.envelopes import public_cloudevents
from infra.event_store import SCHEMA, EventStore
from infra.faults import crash_point
from schemas.envelope import CloudEvent

log = logging.getLogger(__name__)

POSITION_DDL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.relay_position (
    relay    text PRIMARY KEY,
    position bigint NOT NULL
)
"""


class Sink(Protocol):
    async def deliver(self, events: Sequence[CloudEvent]) -> None:
        """Returns only once every event is durably accepted downstream."""


class Relay:
    def __init__(
        self,
        store: EventStore,
        pool: asyncpg.Pool,
        sink: Sink,
        *,
        name: str = "kafka",
        batch_size: int = 500,
        idle_poll_s: float = 0.025,
    ) -> None:
        self.store = store
        self.pool = pool
        self.sink = sink
        self.name = name
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self.wakeup = asyncio.Event()
        self._saved: int | None = None  # the position this relay last saved; read from the table when unknown

    async def position(self) -> int:
        async with self.pool.acquire() as conn:
            value = await conn.fetchval(f"SELECT position FROM {SCHEMA}.relay_position WHERE relay = $1", self.name)
        return value or 0

    async def relay_once(self) -> int:
        """Delivers the next batch after the saved position; returns how many events it sent."""
        if self._saved is None:
            self._saved = await self.position()
        start = self._saved
        notifications = await asyncio.to_thread(self.store.notifications, start, self.batch_size)
        if not notifications:
            return 0
        events = public_cloudevents(notifications, self.store.decode_state)
        crash_point("relay.before_publish")
        if events:
            await self.sink.deliver(events)
        crash_point("relay.after_publish")
        await self._save_position(notifications[-1].id)
        return len(notifications)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent = await self.relay_once()
            except Exception:
                log.exception("relay batch failed; retrying from the saved position")
                self._saved = None
                sent = 0
                await asyncio.sleep(1.0)
            if sent < self.batch_size:
                await self._idle(stop)

    async def _idle(self, stop: asyncio.Event) -> None:
        self.wakeup.clear()
        waiters = [asyncio.create_task(self.wakeup.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait(waiters, timeout=self.idle_poll_s, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def _save_position(self, position: int) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"""INSERT INTO {SCHEMA}.relay_position (relay, position) VALUES ($1, $2)
                    ON CONFLICT (relay) DO UPDATE SET position = EXCLUDED.position""",
                self.name,
                position,
            )
        self._saved = position
