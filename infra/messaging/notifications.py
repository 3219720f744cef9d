"""Delivers the notifications outbox (infra/storage/notifications.py): to `mtf.notifications.v1` for the
operator's SMS gateway, or to the console in development. Started with the relay."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol, Sequence

import asyncpg
from aiokafka import AIOKafkaProducer

from infra.messaging.kafka import REQUEST_TIMEOUT_MS, LazyProducer, create_missing_topics, send_by_partition
from infra.messaging.kafka_security import client_options
from infra.storage.notifications import SCHEMA, Notification

log = logging.getLogger(__name__)

TOPIC = "mtf.notifications.v1"
TOPIC_RETENTION_MS = 60 * 60 * 1000  # an hour: a code lasts 5 minutes; the SMS gateway reads within seconds


class Sender(Protocol):
    async def send(self, notifications: Sequence[Notification]) -> None:
        """Returns once every notification is durably handed over."""


class ConsoleSender:
    """Development (`make run`): prints each SMS it would send, so a newcomer can read the code."""

    def __init__(self, console) -> None:
        self.console = console

    async def send(self, notifications: Sequence[Notification]) -> None:
        for n in notifications:
            self.console.print(
                f"[bold yellow]{n.channel.upper()} to {n.recipient}[/]: {n.body}", soft_wrap=True
            )  # one line, to grep


class KafkaSender:
    """Publishes to the notifications topic, keyed by recipient; idempotent producer, acks from all replicas."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.topic = settings.kafka_topic_prefix + TOPIC
        self.producer = LazyProducer(
            lambda: AIOKafkaProducer(
                bootstrap_servers=settings.kafka_bootstrap,
                enable_idempotence=True,
                acks="all",
                request_timeout_ms=REQUEST_TIMEOUT_MS,
                **client_options(settings),
            ),
            lambda: create_missing_topics(
                settings, [self.topic], {"retention.ms": str(TOPIC_RETENTION_MS), "cleanup.policy": "delete"}
            ),
            "notifications",
        )

    async def start(self) -> None:
        await self.producer.try_now()

    async def stop(self) -> None:
        await self.producer.stop()

    async def send(self, notifications: Sequence[Notification]) -> None:
        producer = await self.producer.get()
        await send_by_partition(
            producer, [(self.topic, n.recipient.encode(), n.payload(), []) for n in notifications]
        )


class Dispatcher:
    """Hands the outbox to the sender in batches. Rows are claimed with SKIP LOCKED, so two relays never send the same
    row at once, and deleted in the transaction that claimed them, after the sender has them."""

    def __init__(
        self, pool: asyncpg.Pool, sender: Sender, *, poll_s: float = 0.2, batch_size: int = 100
    ) -> None:
        self.pool, self.sender, self.poll_s, self.batch_size = pool, sender, poll_s, batch_size

    async def dispatch_once(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"""SELECT notification_id, channel, recipient, body, created_at, expires_at FROM {SCHEMA}.outbox
                    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED""",
                self.batch_size,
            )
            if not rows:
                return 0
            await self.sender.send([Notification(**dict(r)) for r in rows])
            await conn.execute(
                f"DELETE FROM {SCHEMA}.outbox WHERE notification_id = ANY($1::uuid[])",
                [r["notification_id"] for r in rows],
            )
        return len(rows)

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                sent = await self.dispatch_once()
                failures = 0
            except Exception as error:  # the database or the broker is away: keep the rows, try again
                failures += 1
                log.warning(
                    "notifications: could not dispatch (%s); trying again", error, exc_info=failures == 1
                )
                sent = 0
            if not sent:
                try:
                    await asyncio.wait_for(stop.wait(), self.poll_s)
                except asyncio.TimeoutError:
                    pass
