"""The Kafka broker crashes. Commands go on being taken (the log is the outbox), readiness says the
broker is away, and what was written meanwhile reaches the topic and the read models once it is
back. A process asked to stop meanwhile stops. Each test runs a broker of its own, since it kills it.

aiokafka retries a batch whose partition leader it still knows for as long as the broker is
away, so a relay's delivery waits through the outage rather than failing; stopping is the
runtime's job (`infra.runtime.assembly._stopped`)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from infra.devstack.local_kafka import LocalKafka
from tests.flows import register_client
from tests.support import OPERATOR, eventually, fresh_settings, read_topic, serving

STOPS_WITHIN_S = 30  # without the grace period the process waited for the broker for ever


@pytest.fixture
def broker():
    kafka = LocalKafka(heap="256m")
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()


def visible(client: httpx.AsyncClient, client_id: str):
    async def probe() -> bool:
        return (await client.get(f"/api/v1/clients/{client_id}", headers=OPERATOR)).status_code == 200

    return probe


async def test_what_is_written_while_the_broker_is_away_arrives_when_it_returns(broker):
    settings = fresh_settings(kafka=True, kafka_bootstrap=broker.bootstrap)
    async with serving(settings) as (_, client):
        before = (await register_client(client))["id"]
        await eventually(visible(client, before), timeout=30)

        broker.crash()
        during = (await register_client(client))["id"]  # taken while no broker runs
        readiness = await client.get("/ready")
        assert readiness.status_code == 503 and readiness.json()["checks"]["broker"]["ok"] is False
        await asyncio.sleep(2)
        assert (await client.get(f"/api/v1/clients/{during}", headers=OPERATOR)).status_code == 404

        await asyncio.to_thread(broker.restart)
        await eventually(visible(client, during), timeout=90, interval=0.5)

    records = await read_topic(broker.bootstrap, settings.topic("client"), expected=2)
    assert {r.key.decode() for r in records} == {before, during}


async def test_a_relay_stops_while_the_broker_is_away(broker):
    settings = fresh_settings(kafka=True, kafka_bootstrap=broker.bootstrap)
    system = serving(settings)
    runtime, client = await system.__aenter__()
    await eventually(visible(client, (await register_client(client))["id"]), timeout=30)
    broker.crash()
    await register_client(client)  # a batch the relay cannot deliver
    await asyncio.sleep(1)
    await asyncio.wait_for(system.__aexit__(None, None, None), STOPS_WITHIN_S)
    assert all(task.done() for task in runtime.tasks)
