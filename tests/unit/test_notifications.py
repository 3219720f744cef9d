"""What the notifications carry: the console sender a developer reads, and the topic's payload."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import datetime, timedelta, timezone

import orjson
from rich.console import Console

from infra.messaging.notifications import ConsoleSender
from infra.storage.notifications import Notification

SENT = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
SMS = Notification(
    uuid.uuid4(),
    "sms",
    "+212612345678",
    "MT-Facturation : votre code est 482913. Il expire dans 5 minutes.",
    SENT,
    SENT + timedelta(minutes=5),
)


def test_the_console_prints_each_sms_whole_on_one_line_however_narrow_the_terminal():
    printed = io.StringIO()
    asyncio.run(ConsoleSender(Console(file=printed, width=30)).send([SMS, SMS]))
    assert printed.getvalue().splitlines() == [f"SMS to +212612345678: {SMS.body}"] * 2


def test_the_topic_carries_what_the_sms_gateway_needs_and_nothing_about_the_client():
    payload = orjson.loads(SMS.payload())
    assert payload == {
        "id": str(SMS.notification_id),
        "channel": "sms",
        "to": "+212612345678",
        "text": SMS.body,
        "created_at": "2026-12-07T09:00:00+00:00",
        "expires_at": "2026-12-07T09:05:00+00:00",
    }
