"""The command-to-query slice through HTTP, in both delivery modes, on the real database and broker."""

from __future__ import annotations

import asyncio
import uuid

from infra.runtime.features import PROJECTIONS
from schemas.envelopes import decode
from tests.flows import create_offer, new_contract, provision, register_client
from tests.support import AUDITOR, OPERATOR, eventually, read_topic


async def test_contract_is_readable_with_its_audit_trail_after_its_token(any_system):
    runtime, client = any_system
    created = await new_contract(client, correlation_id="corr-slice-1")

    token = {"consistency_token": created["position"]}
    summary = await client.get(f"/api/v1/contracts/{created['id']}", params=token, headers=AUDITOR)
    trail = await client.get(f"/api/v1/contracts/{created['id']}/audit-trail", params=token, headers=AUDITOR)

    assert summary.status_code == 200, summary.text
    assert summary.json()["status"] == "active"
    assert summary.json()["monthly_fee"] == "99.00"
    entries = trail.json()["items"]
    assert [e["event_type"] for e in entries] == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
    ]
    assert {e["correlation_id"] for e in entries} == {"corr-slice-1"}
    assert entries[1]["before"]["status"] == "draft" and entries[1]["after"]["status"] == "active"
    assert entries[0]["role"] == "operator" and entries[0]["actor"].startswith("key:")


async def test_cloudevent_reaches_its_topic_keyed_by_aggregate_with_correlation_header(kafka_system):
    runtime, client = kafka_system
    created = await new_contract(client, correlation_id="corr-kafka-7")

    records = await read_topic(
        runtime.settings.kafka_bootstrap, runtime.settings.topic("contract"), expected=3
    )

    mine = [r for r in records if r.key == created["id"].encode()]
    events = [decode(r.value) for r in mine]
    assert [e.event_name for e in events] == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
    ]
    assert [e.aggregateversion for e in events] == [1, 2, 3]
    assert len({r.partition for r in mine}) == 1, "one aggregate, one partition: order is kept"
    first = events[0]
    assert first.specversion == "1.0" and first.subject == created["id"]
    assert first.dataschema == "urn:mtf:schema:contract.ContractProvisioned:v1"
    assert first.correlationid == "corr-kafka-7" and first.causationid
    assert first.data["monthly_fee"] == "99.00"
    headers = dict(mine[0].headers)
    assert headers["content-type"] == b"application/cloudevents+json"
    assert headers["correlation_id"] == b"corr-kafka-7"
    assert headers["traceparent"].startswith(b"00-")


async def test_correlation_id_is_generated_when_absent_and_echoed(in_process_system):
    _, client = in_process_system
    response = await client.post("/api/v1/clients", json={"cin": "x"}, headers=OPERATOR)
    assert response.status_code == 422
    generated = response.headers["x-correlation-id"]
    assert uuid.UUID(generated)
    assert response.json()["error"]["correlation_id"] == generated


async def test_unknown_contract_is_404_in_the_envelope(in_process_system):
    _, client = in_process_system
    response = await client.get(f"/api/v1/contracts/{uuid.uuid4()}", headers=OPERATOR)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "contract_not_found"


async def _provisioned_unprojected(runtime, client, wait_ms: int) -> dict:
    """A contract provisioned once the relay is stopped, so no read model will reflect it; token waits
    last `wait_ms`."""
    customer = await register_client(client)
    offer = await create_offer(client)
    runtime.settings.__dict__["consistency_wait_ms"] = wait_ms
    for task in runtime.tasks:  # the relay: nothing reaches the read models
        task.cancel()
    return await provision(client, customer["id"], offer["id"])


async def test_token_not_yet_projected_answers_503_with_retry_after(in_process_system):
    runtime, client = in_process_system
    created = await _provisioned_unprojected(runtime, client, wait_ms=200)

    response = await client.get(
        f"/api/v1/contracts/{created['id']}",
        params={"consistency_token": created["position"]},
        headers=OPERATOR,
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "projection_lagging"


async def test_a_token_beyond_the_logs_head_is_refused_at_once(in_process_system):
    runtime, client = in_process_system
    created = await new_contract(client)
    runtime.settings.__dict__["consistency_wait_ms"] = 60_000  # a wait would outlast the test's patience

    response = await asyncio.wait_for(
        client.get(
            f"/api/v1/contracts/{created['id']}",
            params={"consistency_token": 9223372036854775806},
            headers=OPERATOR,
        ),
        timeout=5,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "consistency_token_ahead"


async def test_waiting_readers_do_not_hold_the_pool_from_others(in_process_system):
    runtime, client = in_process_system
    created = await _provisioned_unprojected(runtime, client, wait_ms=3_000)
    token = {"consistency_token": created["position"]}

    waiting = [  # more waiting readers than the pool has connections (20)
        asyncio.create_task(client.get(f"/api/v1/contracts/{created['id']}", params=token, headers=OPERATOR))
        for _ in range(30)
    ]
    await asyncio.sleep(0.5)
    started = asyncio.get_running_loop().time()
    other = await client.get("/api/v1/offers", headers=OPERATOR)
    assert other.status_code == 200, other.text
    assert asyncio.get_running_loop().time() - started < 1.0
    assert not all(task.done() for task in waiting)  # they were still waiting meanwhile
    answers = await asyncio.gather(*waiting)
    assert {a.json()["error"]["code"] for a in answers} == {"projection_lagging"}


async def test_auditor_cannot_write_and_missing_key_is_401(in_process_system):
    runtime, client = in_process_system
    head_before = runtime.store.head()
    refused = await client.post(
        "/api/v1/clients",
        json={"cin": "AB123456", "full_name": "A", "email": "a@b.ma", "address": "x"},
        headers=AUDITOR,
    )
    anonymous = await client.get(f"/api/v1/contracts/{uuid.uuid4()}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
    appended = runtime.store.notifications(head_before, 10)
    assert [n.topic for n in appended] == ["domain.access:AccessRefusal.PrivilegedActionRefused"], (
        "only the audit entry"
    )


async def test_every_refused_privileged_action_is_kept_for_auditors(in_process_system):
    runtime, client = in_process_system
    refused = await client.post(
        "/api/v1/offers", json={}, headers={**OPERATOR, "X-Correlation-ID": "desk-refusal-1"}
    )
    assert refused.status_code == 403
    not_for_operators = await client.get("/api/v1/access-refusals", headers=OPERATOR)
    assert not_for_operators.status_code == 403

    async def listed():
        body = (await client.get("/api/v1/access-refusals", headers=AUDITOR)).json()
        return body if body["page"]["total"] == 2 else None

    from tests.support import eventually

    body = await eventually(listed)
    first = body["items"][0]
    assert (first["role"], first["method"], first["path"]) == ("operator", "POST", "/api/v1/offers")
    assert first["allowed_roles"] == ["admin"] and first["correlation_id"] == "desk-refusal-1"
    assert first["actor"].startswith("key:") and "test-operator-key" not in str(body)
    assert body["items"][1]["path"] == "/api/v1/access-refusals"


async def test_ready_reports_database_broker_and_lag(kafka_system):
    _, client = kafka_system
    response = await client.get("/ready")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["broker"] == {
        "ok": True,
        "mode": "kafka",
        "connected": {"relay": True, "projector": True},
    }
    assert body["checks"]["database"]["ok"] is True
    assert set(body["checks"]["projections"]["lag"]) == set(PROJECTIONS)

    async def relay_leads() -> bool:
        return (await client.get("/ready")).json()["checks"]["relay"]["leading"]

    await eventually(relay_leads)


async def test_ready_says_when_no_relay_leads(gateway_only):
    _, client, _ = gateway_only
    relay = (await client.get("/ready")).json()["checks"]["relay"]
    assert (relay["ok"], relay["lag"], relay["leading"]) == (True, 0, False)


async def test_a_command_continues_the_callers_trace(in_process_system):
    runtime, client = in_process_system
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    body = {"cin": "TR123456", "full_name": "Traced Caller", "email": "t@example.ma", "address": "Rabat"}
    response = await client.post(
        "/api/v1/clients",
        json=body,
        headers={**OPERATOR, "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
    )
    assert response.status_code == 201, response.text
    stored = await runtime.pool.fetchval(
        "SELECT convert_from(state, 'UTF8')::jsonb->'_meta'->>'traceparent' FROM eventstore.mtf_events WHERE "
        "originator_id = $1",
        uuid.UUID(response.json()["id"]),
    )
    assert stored.split("-")[1] == trace_id
