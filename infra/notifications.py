"""Messages to people (an SMS with a one-time code): not domain events, so not in the event store.

A command writes a row into `notifications.outbox` in the transaction that needs the message
sent; the dispatcher (started with the relay) hands each row to a sender and deletes it once the
sender has it: published to `mtf.notifications.v1` for the operator's SMS gateway, or printed on
the console in development. Delivery is at least once; the row's `notification_id` lets the SMS
gateway drop a duplicate. A row lives only until it is handed over, so a one-time code is in
clear in the database only for that moment (its check uses a keyed digest, kept elsewhere).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Sequence

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer

from infra.kafka import create_missing_topics, stop_producer

log = logging.getLogger(__name__)

SCHEMA = "notifications"
TOPIC = "mtf.notifications.v1"
TOPIC_RETENTION_MS = 60 * 60 * 1000  # an hour: a code lasts 5 minutes; the SMS gateway reads within seconds
DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.outbox (
    id              bigserial PRIMARY KEY,
    notification_id uuid NOT NULL UNIQUE,
    channel         text NOT NULL,
    recipient       text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz
);
"""


@dataclass(frozen=True)
class Notification:
    notification_id: uuid.UUID
    channel: str
    recipient: str
    body: str
    created_at: datetime
    expires_at: datetime | None

    def payload(self) -> bytes:
        """The message on the topic: what the SMS gateway needs, and nothing about the client."""
        return orjson.dumps({
            "id": str(self.notification_id), "channel": self.channel, "to": self.recipient, "text": self.body,
            "created_at": self.created_at.isoformat(), "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        })


async def enqueue_sms(conn: asyncpg.Connection, to: str, text: str, now: datetime, expires_at: datetime | None) -> uuid.UUID:
    notification_id = uuid.uuid4()
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.outbox (notification_id, channel, recipient, body, created_at, expires_at)
            VALUES ($1, 'sms', $2, $3, $4, $5)""",
        notification_id, to, text, now, expires_at,
    )
    return notification_id


class Sender(Protocol):
    async def send(self, notifications: Sequence[Notification]) -> None:
        """Returns once every notification is durably handed over."""


class ConsoleSender:
    """Development (`make run`): prints each SMS it would send, so a newcomer can read the code."""

    def __init__(self, console) -> None:
        self.console = console

    async def send(self, notifications: Sequence[Notification]) -> None:
        for n in notifications:
            self.console.print(f"[bold yellow]{n.channel.upper()} to {n.recipient}[/]: {n.body}", soft_wrap=True)  # one line, to grep


class KafkaSender:
    """Publishes to the notifications topic, keyed by recipient; idempotent producer, acks from all replicas."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.topic = settings.kafka_topic_prefix + TOPIC
        self.producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, acks="all")

    async def start(self) -> None:
        await create_missing_topics(self.settings, [self.topic], {"retention.ms": str(TOPIC_RETENTION_MS), "cleanup.policy": "delete"})
        await self.producer.start()

    async def stop(self) -> None:
        await stop_producer(self.producer, "notifications")

    async def send(self, notifications: Sequence[Notification]) -> None:
        sends = [await self.producer.send(self.topic, value=n.payload(), key=n.recipient.encode()) for n in notifications]
        await asyncio.gather(*sends)


class Dispatcher:
    """Hands the outbox to the sender in batches. Rows are claimed with SKIP LOCKED, so two relays never send the same
    row at once, and deleted in the transaction that claimed them, after the sender has them."""

    def __init__(self, pool: asyncpg.Pool, sender: Sender, *, poll_s: float = 0.2, batch_size: int = 100) -> None:
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
            await conn.execute(f"DELETE FROM {SCHEMA}.outbox WHERE notification_id = ANY($1::uuid[])", [r["notification_id"] for r in rows])
        return len(rows)

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                sent = await self.dispatch_once()
                failures = 0
            except Exception as error:  # the database or the broker is away: keep the rows, try again
                failures += 1
                log.warning("notifications: could not dispatch (%s); trying again", error, exc_info=failures == 1)
                sent = 0
            if not sent:
                try:
                    await asyncio.wait_for(stop.wait(), self.poll_s)
                except asyncio.TimeoutError:
                    pass
