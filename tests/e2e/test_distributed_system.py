"""The distributed deployment as an operator runs it: three processes, real HTTP, real Kafka."""

from __future__ import annotations

import httpx
import pytest

from infra.envelopes import decode
from infra.local_kafka import free_port
from projections.registry import PROJECTIONS
from tests.processes import background, run_to_exit
from tests.support import AUDITOR, dump_tables, eventually, fresh_settings, read_topic, settings_env, settled
from tests import flows

TABLES = [t for p in PROJECTIONS.values() for t in p.tables]


@pytest.fixture
async def deployment():
    settings = fresh_settings(kafka=True)
    env = settings_env(settings)
    port = free_port()
    env["MTF_HTTP_PORT"] = str(port)
    async with background(["gateway"], env), background(["relay"], env), background(["project"], env):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            await eventually(lambda: _ready(client), timeout=45)
            yield settings, env, client


async def _ready(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/ready")).status_code == 200
    except httpx.TransportError:
        return False


async def test_provisioning_flows_from_http_through_kafka_to_the_read_models(deployment):
    settings, env, client = deployment
    created = await flows.new_contract(client, correlation_id="e2e-corr-1")

    records = await read_topic(settings.kafka_bootstrap, settings.topic("contract"), expected=2)
    events = [decode(r.value) for r in records if r.key == created["id"].encode()]
    assert [e.event_name for e in events] == ["ContractProvisioned", "ContractActivated"]
    assert all(e.correlationid == "e2e-corr-1" for e in events)
    assert dict(records[0].headers)["correlation_id"] == b"e2e-corr-1"
    client_events = await read_topic(settings.kafka_bootstrap, settings.topic("client"), expected=1)
    assert decode(client_events[0].value).type == "mtf.client.ClientRegistered"

    token = {"consistency_token": created["position"]}
    summary = await client.get(f"/api/v1/contracts/{created['id']}", params=token, headers=AUDITOR)
    trail = await client.get(f"/api/v1/contracts/{created['id']}/audit-trail", params=token, headers=AUDITOR)
    assert summary.status_code == 200 and summary.json()["status"] == "active"
    assert summary.json()["commitment_months"] == 12
    assert [e["event_type"] for e in trail.json()["items"]] == ["ContractProvisioned", "ContractActivated"]
    assert summary.headers["x-correlation-id"]


async def test_replay_rebuilds_read_models_row_for_row(deployment):
    settings, env, client = deployment
    last = None
    for _ in range(12):
        last = await flows.new_contract(client)
    await client.get(f"/api/v1/contracts/{last['id']}/audit-trail", params={"consistency_token": last["position"]}, headers=AUDITOR)
    await eventually(lambda: settled(settings.database_url, 12), timeout=30)
    live = await dump_tables(settings.database_url, *TABLES)
    assert len(live["readmodel.contract_summary"]) == 12

    replay_env = {**env, "MTF_KAFKA_BOOTSTRAP": ""}
    result = run_to_exit(["replay"], replay_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "replayed" in result.stdout
    assert await dump_tables(settings.database_url, *TABLES) == live

