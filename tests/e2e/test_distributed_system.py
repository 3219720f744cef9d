"""The distributed deployment as an operator runs it: three processes, real HTTP, real Kafka."""

from __future__ import annotations

import httpx

from infra.runtime.features import PROJECTIONS
from schemas.envelopes import decode
from tests import flows
from tests.processes import run_to_exit
from tests.support import ADMIN, AUDITOR, OPERATOR, all_projected, dump_tables, eventually, read_topic

TABLES = [t for p in PROJECTIONS.values() for t in p.tables]


async def test_provisioning_flows_from_http_through_kafka_to_the_read_models(deployment):
    settings, env, client = deployment
    created = await flows.new_contract(client, correlation_id="e2e-corr-1")

    records = await read_topic(settings.kafka_bootstrap, settings.topic("contract"), expected=3)
    events = [decode(r.value) for r in records if r.key == created["id"].encode()]
    assert [e.event_name for e in events] == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
    ]
    assert all(e.correlationid == "e2e-corr-1" for e in events)
    assert dict(records[0].headers)["correlation_id"] == b"e2e-corr-1"
    client_events = await read_topic(settings.kafka_bootstrap, settings.topic("client"), expected=1)
    assert decode(client_events[0].value).type == "mtf.client.ClientRegistered"

    token = {"consistency_token": created["position"]}
    summary = await client.get(f"/api/v1/contracts/{created['id']}", params=token, headers=AUDITOR)
    trail = await client.get(f"/api/v1/contracts/{created['id']}/audit-trail", params=token, headers=AUDITOR)
    assert summary.status_code == 200 and summary.json()["status"] == "active"
    assert summary.json()["commitment_months"] == 12
    assert [e["event_type"] for e in trail.json()["items"]] == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
    ]
    assert summary.headers["x-correlation-id"]


async def _history_of_every_kind(client: httpx.AsyncClient) -> None:
    """Updates, retirements, deletes, erasures and status changes: not only creations."""
    offer = await flows.create_offer(client)
    terms = {
        "name": "Mobile 30 Go",
        "family": "4g",
        "monthly_fee": "129.00",
        "components": [{"kind": "data", "gb": 30}],
    }
    assert (await client.put(f"/api/v1/offers/{offer['id']}", json=terms, headers=ADMIN)).status_code == 200
    assert (await client.post(f"/api/v1/offers/{offer['id']}/retirement", headers=ADMIN)).status_code == 200
    unsold = await flows.create_offer(client)
    assert (await client.delete(f"/api/v1/offers/{unsold['id']}", headers=ADMIN)).status_code == 200
    leaving = await flows.register_client(client)
    assert (await client.delete(f"/api/v1/clients/{leaving['id']}", headers=OPERATOR)).status_code == 200
    staying = await flows.register_client(client)
    status = {"status": "suspended", "reason": "fraud check"}
    assert (
        await client.post(f"/api/v1/clients/{staying['id']}/status", json=status, headers=OPERATOR)
    ).status_code == 200


async def test_replay_rebuilds_read_models_row_for_row(deployment):
    settings, env, client = deployment
    await _history_of_every_kind(client)
    for _ in range(12):
        await flows.new_contract(client)
    await eventually(lambda: all_projected(settings.database_url), timeout=30)
    live = await dump_tables(settings.database_url, *TABLES)
    assert len(live["readmodel.contract_summary"]) == 12
    assert (
        len(live["readmodel.offer_versions"]) == 2 + 12
    )  # the updated offer's two versions, one per new offer
    assert len(live["readmodel.client_directory"]) == 13  # the erased client is gone

    replay_env = {**env, "MTF_KAFKA_BOOTSTRAP": ""}
    result = run_to_exit(["replay"], replay_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "replayed" in result.stdout
    assert await dump_tables(settings.database_url, *TABLES) == live
