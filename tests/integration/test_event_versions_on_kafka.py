"""A consumer reads both versions of ClientStatusChanged from the real broker: a v1 message published
before v2 existed (read as v2 with the code `other`) and a v2 message from today's relay."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from aiokafka import AIOKafkaProducer

from schemas.envelope import CloudEvent
from schemas.envelopes import encode, kafka_headers
from tests.flows import register_client
from tests.support import OPERATOR, eventually, handmade_event


def _v1_message(client_id: uuid.UUID, version: int, name: str, data: dict, position: int) -> CloudEvent:
    """What the relay published before v2: the envelope as it was, `dataschema` ...:v1."""
    return handmade_event("client", name, client_id, version, position, data, time=datetime.now(timezone.utc))


async def _is(client, client_id: str, expected: tuple) -> bool:
    """Whether the directory shows the client's status and reason code as expected."""
    found = await client.get(f"/api/v1/clients/{client_id}", headers=OPERATOR)
    return (
        found.status_code == 200 and (found.json()["status"], found.json()["status_reason_code"]) == expected
    )


async def test_the_projector_reads_v1_and_v2_messages_of_the_same_event(kafka_system):
    runtime, client = kafka_system
    today = await register_client(client)
    changed = await client.post(
        f"/api/v1/clients/{today['id']}/status",
        json={"status": "suspended", "reason": "fraud check", "reason_code": "fraud"},
        headers=OPERATOR,
    )
    assert changed.status_code == 200, changed.text

    old = uuid.uuid4()
    registered = {
        "cin": "AR****07",
        "full_name": "O. A.",
        "email": "o***@example.ma",
        "address": "***",
        "phone": None,
        "language": "fr",
    }
    messages = [
        _v1_message(old, 1, "ClientRegistered", registered, changed.json()["position"]),
        _v1_message(
            old,
            2,
            "ClientStatusChanged",
            {"status": "suspended", "reason": "unpaid"},
            changed.json()["position"],
        ),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=runtime.settings.kafka_bootstrap)
    await producer.start()
    try:
        for message in messages:
            await producer.send_and_wait(
                runtime.settings.topic("client"),
                encode(message),
                key=str(old).encode(),
                headers=kafka_headers(message),
            )
    finally:
        await producer.stop()

    await eventually(lambda: _is(client, today["id"], ("suspended", "fraud")))
    await eventually(lambda: _is(client, str(old), ("suspended", "other")))
