"""Auditors read the event store itself: an aggregate's recorded events, and its state as of a moment."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from tests.billing_flows import billed, billing_system, contract, customer, offer
from tests.flows import new_contract, register_client
from tests.support import ADMIN, AUDITOR, OPERATOR

CONTRACT_EVENTS = ["ContractProvisioned", "ContractActivated", "ContractDocumentIssued", "ContractSuspended"]


async def _suspended_contract(client) -> tuple[dict, dict]:
    created = await new_contract(client)
    headers = {**OPERATOR, "X-Correlation-ID": "audit-suspension-1"}
    suspended = await client.post(
        f"/api/v1/contracts/{created['id']}/suspension", json={"reason": "unpaid"}, headers=headers
    )
    assert suspended.status_code == 200, suspended.text
    return created, suspended.json()


async def _history(client, aggregate_id: str, **params):
    return await client.get(f"/api/v1/event-history/{aggregate_id}", params=params, headers=AUDITOR)


async def _state(client, aggregate_id: str, as_of: str | None = None, headers=AUDITOR):
    params = {"as_of": as_of} if as_of is not None else {}
    return await client.get(f"/api/v1/event-history/{aggregate_id}/state", params=params, headers=headers)


async def test_an_auditor_reads_every_event_of_a_contract_in_order_and_page_by_page(in_process_system):
    _, client = in_process_system
    created, suspended = await _suspended_contract(client)

    history = (await _history(client, created["id"])).json()
    assert history["aggregate_type"] == "contract" and history["page"]["total"] == 4
    events = history["items"]
    assert [e["type"] for e in events] == [f"mtf.contract.{name}" for name in CONTRACT_EVENTS]
    assert [e["aggregateversion"] for e in events] == [1, 2, 3, 4]
    assert all(e["subject"] == created["id"] for e in events)
    positions = [e["position"] for e in events]
    assert (
        positions == sorted(positions)
        and positions[0] <= created["position"] < positions[3] == suspended["position"]
    )
    last = events[-1]
    assert (last["actorrole"], last["correlationid"]) == ("operator", "audit-suspension-1")
    assert last["data"]["reason"] == "unpaid"

    page = (await _history(client, created["id"], limit=2, offset=2)).json()
    assert [e["aggregateversion"] for e in page["items"]] == [3, 4] and page["page"] == {
        "limit": 2,
        "offset": 2,
        "total": 4,
    }
    beyond = (await _history(client, created["id"], offset=10)).json()
    assert beyond["items"] == [] and beyond["page"]["total"] == 4


async def test_state_as_of_a_moment_replays_only_the_events_recorded_by_then(in_process_system):
    _, client = in_process_system
    created, _ = await _suspended_contract(client)
    events = (await _history(client, created["id"])).json()["items"]
    provisioned_at, activated_at = events[0]["time"], events[2]["time"]

    then = (await _state(client, created["id"], activated_at)).json()
    assert (then["version"], then["position"], then["state"]["status"]) == (
        3,
        events[2]["position"],
        "active",
    )
    assert then["recorded_at"] == activated_at and then["aggregate_type"] == "contract"
    assert then["state"]["monthly_fee"] == "99.00" and len(then["state"]["documents"]) == 1
    assert datetime.fromisoformat(then["as_of"]) == datetime.fromisoformat(activated_at)

    now = (await _state(client, created["id"])).json()
    assert (now["version"], now["state"]["status"], now["as_of"]) == (4, "suspended", None)
    today = (await _state(client, created["id"], datetime.now(timezone.utc).date().isoformat())).json()
    assert today["version"] == 4

    just_before = datetime.fromisoformat(provisioned_at) - timedelta(microseconds=1)
    before = await _state(client, created["id"], just_before.isoformat())
    assert before.status_code == 404 and before.json()["error"]["code"] == "history_not_found"
    assert before.json()["error"]["details"]["as_of"] == just_before.isoformat()
    yesterday = await _state(client, created["id"], (date.today() - timedelta(days=2)).isoformat())
    assert yesterday.status_code == 404


async def test_bad_moments_unknown_ids_and_other_roles_are_refused_in_the_envelope(in_process_system):
    _, client = in_process_system
    created = await new_contract(client)
    naive = await _state(client, created["id"], "2026-11-30T09:00:00")
    assert naive.status_code == 422 and naive.json()["error"]["code"] == "as_of_without_offset"
    for bad in ("yesterday", "2026-13-01", "2026-11-30T25:00:00Z"):
        refused = await _state(client, created["id"], bad)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_as_of", bad
    unknown = uuid.uuid4()
    for response in (await _history(client, str(unknown)), await _state(client, str(unknown))):
        assert response.status_code == 404 and response.json()["error"]["details"]["id"] == str(unknown)
    assert (await _history(client, "not-a-uuid")).status_code == 422
    for role in (OPERATOR, ADMIN):
        forbidden = await client.get(f"/api/v1/event-history/{created['id']}", headers=role)
        assert forbidden.status_code == 403 and forbidden.json()["error"]["details"]["allowed_roles"] == [
            "auditor"
        ]
        assert (await _state(client, created["id"], headers=role)).status_code == 403


async def test_an_erased_clients_history_is_kept_with_its_personal_fields_erased(in_process_system):
    _, client = in_process_system
    created = await register_client(client, cin="ZX 246810")
    assert (await client.delete(f"/api/v1/clients/{created['id']}", headers=OPERATOR)).status_code == 200
    history = await _history(client, created["id"])
    events = history.json()["items"]
    assert [e["type"] for e in events] == ["mtf.client.ClientRegistered", "mtf.client.ClientErased"]
    assert b"ZX246810" not in history.content and b"Amina" not in history.content
    assert {events[0]["data"][f] for f in ("cin", "full_name", "email", "address", "phone")} == {"[erased]"}
    state = await _state(client, created["id"])
    assert state.status_code == 200, state.text
    assert (state.json()["state"]["erased"], state.json()["state"]["cin"]) == (True, "[erased]")


async def test_an_invoice_is_replayed_as_it_was_issued():
    async with billing_system() as (runtime, client):
        owner = await customer(client, "Salma Idrissi")
        await contract(client, owner, await offer(client, "299.00", service="internet"))
        _, (invoice,) = await billed(runtime, client)
        state = (await _state(client, invoice["invoice_id"])).json()
        assert state["aggregate_type"] == "invoice"
        assert state["state"]["number"] == invoice["number"] == "FAC-2026-000001"
        assert state["state"]["client_id"] == owner
        history = (await _history(client, invoice["invoice_id"])).json()
        assert (
            history["items"][-1]["position"] == state["position"]
            and history["page"]["total"] == state["version"]
        )


async def test_under_a_pinned_date_events_are_recorded_on_it_and_time_travel_follows():
    async with billing_system() as (runtime, client):  # the clock is pinned to 2026-10-01
        owner = await customer(client, "Salma Idrissi")
        runtime.clock.set_today(date(2026, 10, 15))
        details = {
            "full_name": "Salma Bennani",
            "email": "salma@example.ma",
            "address": "12 Av. Hassan II, Rabat",
        }
        assert (
            await client.put(f"/api/v1/clients/{owner}", json=details, headers=OPERATOR)
        ).status_code == 200

        history = (await _history(client, owner)).json()["items"]
        assert [(e["type"], e["time"][:10]) for e in history] == [
            ("mtf.client.ClientRegistered", "2026-10-01"),
            ("mtf.client.ClientDetailsUpdated", "2026-10-15"),
        ]
        assert (await _state(client, owner, "2026-10-14")).json()["state"]["full_name"] == "Salma Idrissi"
        assert (await _state(client, owner, "2026-10-15")).json()["state"]["full_name"] == "Salma Bennani"
