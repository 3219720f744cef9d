"""Messages to people (an SMS with a one-time code): not domain events, so not in the event store.

A command writes a row into `notifications.outbox` in the transaction that needs the message
sent; the dispatcher (started with the relay) hands each row to a sender and deletes it once the
sender has it: published to `mtf.notifications.v1` for the operator's SMS gateway, or printed on
the console in development (infra/messaging/notifications.py). Delivery is at least once; the
row's `notification_id` lets the SMS gateway drop a duplicate. A row lives only until it is handed
over, so a one-time code is in clear in the database only for that moment (its check uses a keyed
digest, kept elsewhere).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import orjson
import psycopg

SCHEMA = "notifications"


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
        return orjson.dumps(
            {
                "id": str(self.notification_id),
                "channel": self.channel,
                "to": self.recipient,
                "text": self.body,
                "created_at": self.created_at.isoformat(),
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            }
        )


async def enqueue_sms(
    conn: asyncpg.Connection, to: str, text: str, now: datetime, expires_at: datetime | None
) -> uuid.UUID:
    notification_id = uuid.uuid4()
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.outbox (notification_id, channel, recipient, body, created_at, expires_at)
            VALUES ($1, 'sms', $2, $3, $4, $5)""",
        notification_id,
        to,
        text,
        now,
        expires_at,
    )
    return notification_id


def forget_recipients(conn: psycopg.Connection, recipients: list[str]) -> None:
    """Drops every notification still addressed to these recipients, on the erasing transaction's connection."""
    if recipients:
        conn.execute(f"DELETE FROM {SCHEMA}.outbox WHERE recipient = ANY(%s)", (recipients,))
