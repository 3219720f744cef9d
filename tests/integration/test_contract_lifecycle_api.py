"""Contract lifecycle and plan changes through HTTP, on the real database."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from commands.contract_lifecycle import ChangePlan, change_plan
from infra.eventstore.port import ConcurrencyConflict
from infra.kernel.command_context import CommandContext
from tests.flows import create_offer, new_contract, provision, register_client
from tests.support import AUDITOR, OPERATOR

TODAY = date.today()


async def _view(client, created: dict, position: int) -> dict:
    return (
        await client.get(
            f"/api/v1/contracts/{created['id']}", params={"consistency_token": position}, headers=AUDITOR
        )
    ).json()


async def _post(client, created: dict, action: str, body: dict):
    return await client.post(f"/api/v1/contracts/{created['id']}/{action}", json=body, headers=OPERATOR)


async def test_suspend_resume_and_terminate_with_early_termination_charge(in_process_system):
    _, client = in_process_system
    created = await new_contract(client)  # 12-month commitment at 99.00
    suspended = await _post(client, created, "suspension", {"reason": "unpaid"})
    assert (
        suspended.status_code == 200
        and (await _view(client, created, suspended.json()["position"]))["status"] == "suspended"
    )
    resumed = await _post(client, created, "resumption", {})
    assert (await _view(client, created, resumed.json()["position"]))["status"] == "active"

    refused = await _post(client, created, "termination", {"reason": "moving"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "early_termination_required"
    assert refused.json()["error"]["details"]["remaining_months"] == 12  # terminating on the start day
    ended = await _post(client, created, "termination", {"reason": "moving", "early_termination": True})
    assert ended.status_code == 200
    view = await _view(client, created, ended.json()["position"])
    assert view["status"] == "terminated" and view["early_termination_charge"] == "1188.00"  # 12 x 99.00

    again = await _post(client, created, "resumption", {})
    assert again.status_code == 409 and again.json()["error"]["details"]["current_status"] == "terminated"
    reactivate = await _post(client, created, "activation", {})
    assert (
        reactivate.status_code == 409 and reactivate.json()["error"]["code"] == "invalid_contract_transition"
    )
    missing = await client.post(
        f"/api/v1/contracts/{uuid.uuid4()}/suspension", json={"reason": "x"}, headers=OPERATOR
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "contract_not_found"
    line = (
        await client.get(
            f"/api/v1/subscribers/{view['subscriber_id']}",
            params={"consistency_token": ended.json()["position"]},
            headers=AUDITOR,
        )
    ).json()
    assert line["status"] == "closed"
    trail = (await client.get(f"/api/v1/contracts/{created['id']}/audit-trail", headers=AUDITOR)).json()[
        "items"
    ]
    assert [e["event_type"] for e in trail] == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
        "ContractSuspended",
        "ContractResumed",
        "ContractTerminated",
    ]
    assert (
        trail[3]["reason"] == "unpaid"
        and trail[3]["before"]["status"] == "active"
        and trail[3]["after"]["status"] == "suspended"
    )


async def test_upgrade_is_scheduled_on_the_timeline_and_downgrade_is_blocked(in_process_system):
    _, client = in_process_system
    customer = await register_client(client)
    base = await create_offer(client, monthly_fee="99.00")
    created = await provision(client, customer["id"], base["id"])
    premium = await create_offer(client, monthly_fee="149.00")
    cheap = await create_offer(client, monthly_fee="49.00")
    effective = (TODAY + timedelta(days=5)).isoformat()

    upgrade = await _post(
        client, created, "plan-changes", {"offer_id": premium["id"], "effective_date": effective}
    )
    assert upgrade.status_code == 200 and upgrade.json()["change"] == "upgrade"
    view = await _view(client, created, upgrade.json()["position"])
    assert [(p["monthly_fee"], p["effective_from"]) for p in view["timeline"]] == [
        ("99.00", TODAY.isoformat()),
        ("149.00", effective),
    ]
    assert view["offer_id"] == premium["id"]

    downgrade = await _post(
        client, created, "plan-changes", {"offer_id": cheap["id"], "effective_date": effective}
    )
    assert (
        downgrade.status_code == 409
        and downgrade.json()["error"]["code"] == "downgrade_blocked_by_commitment"
    )
    past = await _post(
        client,
        created,
        "plan-changes",
        {"offer_id": cheap["id"], "effective_date": (TODAY - timedelta(days=1)).isoformat()},
    )
    assert past.status_code == 422 and past.json()["error"]["code"] == "effective_date_in_past"


async def test_plan_change_to_another_service_and_on_a_suspended_contract_are_refused(in_process_system):
    _, client = in_process_system
    created = await new_contract(client)
    fibre = {
        "name": "Fibre",
        "service": "internet",
        "family": "fiber",
        "monthly_fee": "349.00",
        "components": [{"kind": "fiber", "mbps": 100}, {"kind": "landline"}],
    }
    from tests.support import ADMIN

    internet = (await client.post("/api/v1/offers", json=fibre, headers=ADMIN)).json()
    other = await _post(
        client, created, "plan-changes", {"offer_id": internet["id"], "effective_date": TODAY.isoformat()}
    )
    assert other.status_code == 422 and other.json()["error"]["code"] == "plan_change_service_mismatch"
    await _post(client, created, "suspension", {"reason": "unpaid"})
    premium = await create_offer(client, monthly_fee="149.00")
    blocked = await _post(
        client, created, "plan-changes", {"offer_id": premium["id"], "effective_date": TODAY.isoformat()}
    )
    assert blocked.status_code == 409 and blocked.json()["error"]["details"]["current_status"] == "suspended"


async def test_two_racing_plan_changes_one_wins_one_gets_409(in_process_system):
    runtime, client = in_process_system
    created = await new_contract(client)
    offers = [await create_offer(client, monthly_fee=fee) for fee in ("149.00", "199.00")]
    barrier = threading.Barrier(2)
    original_load = runtime.store.load

    def load_then_wait(cls, aggregate_id, *, what):
        aggregate = original_load(cls, aggregate_id, what=what)
        if what == "offer":  # both handlers have read the contract: now race to save
            barrier.wait(timeout=10)
        return aggregate

    runtime.store.load = load_then_wait
    ctx = CommandContext(actor="test", role="operator")

    def attempt(offer):
        command = ChangePlan(offer_id=uuid.UUID(offer["id"]), effective_date=TODAY)
        try:
            return change_plan(
                runtime.store, runtime.clock, runtime.operator, uuid.UUID(created["id"]), command, ctx
            )[1]
        except ConcurrencyConflict as lost:
            return lost.code

    try:
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(attempt, offers))
    finally:
        runtime.store.load = original_load
    assert outcomes == ["concurrency_conflict", "upgrade"]


async def test_contracts_list_filters_by_client_service_status_and_offer(in_process_system):
    _, client = in_process_system
    customer = await register_client(client)
    offer = await create_offer(client)
    first = await provision(client, customer["id"], offer["id"])
    second = await provision(client, customer["id"], offer["id"], intent="new_line")
    await new_contract(client)
    ended = await _post(client, second, "termination", {"reason": "x", "early_termination": True})
    await _view(client, second, ended.json()["position"])
    await _view(client, first, first["position"])
    mine = (await client.get("/api/v1/contracts", params={"client": customer["id"]}, headers=AUDITOR)).json()
    assert mine["page"]["total"] == 2
    active = (
        await client.get(
            "/api/v1/contracts", params={"client": customer["id"], "status": "active"}, headers=AUDITOR
        )
    ).json()
    assert [c["contract_id"] for c in active["items"]] == [first["id"]]
    by_offer = (
        await client.get(
            "/api/v1/contracts", params={"offer": offer["id"], "service": "mobile"}, headers=AUDITOR
        )
    ).json()
    assert by_offer["page"]["total"] == 2


async def test_idempotency_key_replays_the_first_result_and_refuses_another_body(in_process_system):
    runtime, client = in_process_system
    customer = await register_client(client)
    offer = await create_offer(client)
    body = {"client_id": customer["id"], "offer_id": offer["id"], "commitment_months": 12}
    headers = {**OPERATOR, "Idempotency-Key": "order-2026-0042"}
    first = await client.post("/api/v1/contracts", json=body, headers=headers)
    head = runtime.store.head()
    replay = await client.post("/api/v1/contracts", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert runtime.store.head() == head, "a replay appends nothing"
    other = await client.post("/api/v1/contracts", json={**body, "commitment_months": 24}, headers=headers)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert runtime.store.head() == head
    listed = (
        await client.get("/api/v1/contracts", params={"client": customer["id"]}, headers=AUDITOR)
    ).json()
    assert listed["page"]["total"] <= 1


@pytest.mark.parametrize("inline_client", [False, True], ids=["existing client", "client registered inline"])
async def test_concurrent_requests_with_one_key_create_one_contract(in_process_system, inline_client):
    import asyncio

    runtime, client = in_process_system
    offer = await create_offer(client)
    if inline_client:
        body = {
            "client": {
                "cin": "RS778899",
                "full_name": "Retry Storm",
                "email": "rs@example.ma",
                "address": "Fes",
            },
            "offer_id": offer["id"],
        }
    else:
        body = {"client_id": (await register_client(client))["id"], "offer_id": offer["id"]}
    headers = {**OPERATOR, "Idempotency-Key": "retry-storm-1"}
    # Racing requests must answer the first result: never decide on the first request's effects
    # (a plan change of its contract, or "this CIN already exists").
    responses = await asyncio.gather(
        *(client.post("/api/v1/contracts", json=body, headers=headers) for _ in range(6))
    )
    assert {r.status_code for r in responses} == {201}, [
        r.json()["error"] for r in responses if r.status_code != 201
    ]
    assert len({r.json()["id"] for r in responses}) == 1
    from domain.client import Client
    from domain.contract import Contract

    contract = runtime.store.load(Contract, uuid.UUID(responses[0].json()["id"]), what="contract")
    assert len(runtime.store.load(Client, contract.client_id, what="client").contracts) == 1
