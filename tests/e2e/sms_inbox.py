"""A stand-in for the operator's SMS gateway in the browser tests: `python -m tests.e2e.sms_inbox FILE`.

It subscribes to the notifications topic as the real gateway would and appends each message, as
JSON, to FILE, where a browser test reads the one-time code a visitor would have received. It
waits for the relay to create the topic (with its retention) rather than letting a subscription
create it with the broker's defaults.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from infra.messaging.notifications import TOPIC


async def _topic_exists(bootstrap: str, topic: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return topic in set(await admin.list_topics())
    finally:
        await admin.close()


async def deliver(bootstrap: str, topic: str, inbox: Path) -> None:
    while not await _topic_exists(bootstrap, topic):
        await asyncio.sleep(0.5)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    try:
        with inbox.open("ab", buffering=0) as out:
            async for record in consumer:
                out.write(record.value + b"\n")
    finally:
        await consumer.stop()


if __name__ == "__main__":
    prefix = os.environ.get("MTF_KAFKA_TOPIC_PREFIX", "")
    asyncio.run(deliver(os.environ["MTF_KAFKA_BOOTSTRAP"], prefix + TOPIC, Path(sys.argv[1])))
