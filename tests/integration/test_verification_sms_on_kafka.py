"""The one-time code travels as the operator's SMS gateway receives it: on the notifications topic, not in
the event store."""

from __future__ import annotations

import re

import orjson
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from infra.messaging.notifications import TOPIC, TOPIC_RETENTION_MS
from tests.flows import create_offer, register_client
from tests.support import AUDITOR, OPERATOR, eventually, read_topic

LANDING = "/api/v1/landing"


async def test_the_sms_is_published_on_the_notifications_topic_and_leaves_the_outbox(kafka_system):
    runtime, client = kafka_system
    owner = await register_client(client)
    offer = await create_offer(client)
    line = await client.post(
        "/api/v1/contracts", headers=OPERATOR, json={"client_id": owner["id"], "offer_id": offer["id"]}
    )
    contract = (
        await client.get(
            f"/api/v1/contracts/{line.json()['id']}",
            params={"consistency_token": line.json()["position"]},
            headers=AUDITOR,
        )
    ).json()
    cin = (await client.get(f"/api/v1/clients/{owner['id']}", headers=OPERATOR)).json()["cin"]

    a_contract_id_is_no_way_in = await client.post(
        f"{LANDING}/verifications", json={"cin": cin, "contract_number": contract["contract_id"]}
    )
    assert a_contract_id_is_no_way_in.status_code == 422
    asked = await client.post(f"{LANDING}/verifications", json={"cin": cin, "number": contract["number"]})
    assert asked.status_code == 202

    topic = runtime.settings.kafka_topic_prefix + TOPIC
    records = await read_topic(runtime.settings.kafka_bootstrap, topic, expected=1)
    assert len(records) == 1 and records[0].key.decode() == contract["number"]
    sms = orjson.loads(records[0].value)
    assert sms["channel"] == "sms" and sms["to"] == contract["number"] and sms["expires_at"]
    assert (
        cin not in records[0].value.decode() and owner["id"] not in records[0].value.decode()
    )  # the gateway needs no more
    code = re.search(r"\b([0-9]{6})\b", sms["text"]).group(1)

    async def outbox_empty() -> bool:
        return await runtime.pool.fetchval("SELECT count(*) FROM notifications.outbox") == 0

    await eventually(outbox_empty, timeout=10)
    session = await client.post(
        f"{LANDING}/verifications/{asked.json()['challenge_id']}/code", json={"code": code}
    )
    assert session.status_code == 201 and session.json()["client_id"] == owner["id"]
    assert (
        await runtime.pool.fetchval(
            "SELECT count(*) FROM eventstore.mtf_events WHERE position($1 in convert_from(state, 'UTF8')) > 0",
            code,
        )
        == 0
    )

    admin = AIOKafkaAdminClient(bootstrap_servers=runtime.settings.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    entries = {name: value for name, value, *_ in described[0].resources[0][4]}
    assert entries["retention.ms"] == str(TOPIC_RETENTION_MS)
