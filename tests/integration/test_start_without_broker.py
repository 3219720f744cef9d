"""Processes started while the Kafka broker is down: they start, take commands, say they are not ready, and
connect when the broker comes. A gateway alone is ready with PostgreSQL alone. Real broker, started late."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from infra.devstack.local_kafka import LocalKafka, free_port
from infra.runtime.app import create_app
from infra.runtime.assembly import running
from infra.runtime.health_server import serving_health
from tests.flows import register_client
from tests.support import OPERATOR, eventually, fresh_settings, serving

STARTS_WITHIN_S = 60


@pytest.fixture
def late_broker():
    kafka = LocalKafka(heap="256m")  # its port is chosen now; it is started by the test
    try:
        yield kafka
    finally:
        kafka.stop()


async def test_relay_and_projector_start_before_the_broker_and_connect_when_it_comes(late_broker):
    settings = fresh_settings(kafka=True, kafka_bootstrap=late_broker.bootstrap)
    system = serving(settings)
    runtime, client = await asyncio.wait_for(system.__aenter__(), STARTS_WITHIN_S)
    health_port = free_port()
    try:
        async with serving_health(runtime, "127.0.0.1", health_port), httpx.AsyncClient() as probe:
            health = f"http://127.0.0.1:{health_port}"
            report = await client.get("/ready")
            broker = report.json()["checks"]["broker"]
            assert report.status_code == 503
            assert broker["ok"] is False and broker["connected"] == {"relay": False, "projector": False}
            assert (await probe.get(f"{health}/ready")).status_code == 503
            assert (await probe.get(f"{health}/health")).json() == {"status": "ok"}

            taken = (await register_client(client))["id"]  # the log is the outbox: taken while Kafka is away

            await asyncio.to_thread(late_broker.start)

            async def projected() -> bool:
                answer = await client.get(f"/api/v1/clients/{taken}", headers=OPERATOR)
                return answer.status_code == 200

            await eventually(projected, timeout=90, interval=0.5)

            async def ready() -> bool:
                return (await probe.get(f"{health}/ready")).status_code == 200

            await eventually(ready, timeout=30, interval=0.5)
            assert (await client.get("/ready")).json()["checks"]["broker"]["connected"] == {
                "relay": True,
                "projector": True,
            }
    finally:
        await system.__aexit__(None, None, None)


async def test_a_gateway_alone_is_ready_while_the_broker_is_down(late_broker):
    settings = fresh_settings(kafka=True, kafka_bootstrap=late_broker.bootstrap)
    async with running(settings, relay=False, projector=False) as runtime:
        app = create_app(settings, runtime=runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mtf") as client:
            await register_client(client)
            report = await client.get("/ready")
    body = report.json()
    assert report.status_code == 200, body
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["broker"]["required"] is False
    assert body["checks"]["relay"]["required"] is False and body["checks"]["relay"]["lag"] >= 1
