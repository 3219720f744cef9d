"""Clients through HTTP: masking, filters, details, status, and the delete guardrails."""

from __future__ import annotations

import uuid

from tests.flows import create_offer, provision, register_client
from tests.support import ADMIN, AUDITOR, INTEGRATOR, OPERATOR

PERSON = {
    "cin": "JK 123456",
    "full_name": "Salma Idrissi",
    "email": "salma.idrissi@example.ma",
    "address": "5 Rue Atlas, Marrakech",
    "phone": "+212612345678",
}


async def _registered(client, body=PERSON) -> dict:
    response = await client.post("/api/v1/clients", json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    created = response.json()
    await client.get(
        f"/api/v1/clients/{created['id']}", params={"consistency_token": created["position"]}, headers=AUDITOR
    )
    return created


async def test_list_masks_personal_data_and_only_the_operator_sees_the_detail_unmasked(in_process_system):
    _, client = in_process_system
    created = await _registered(client)
    listed = (await client.get("/api/v1/clients", params={"cin": "jk123456"}, headers=AUDITOR)).json()
    assert listed["page"]["total"] == 1
    row = listed["items"][0]
    assert row["cin"] == "JK****56" and row["email"] == "s***@example.ma"
    assert row["address"] == "***" and row["phone"] == "+212*******78"
    detail = (await client.get(f"/api/v1/clients/{created['id']}", headers=OPERATOR)).json()
    assert detail["cin"] == "JK123456" and detail["email"] == PERSON["email"]
    assert detail["address"] == PERSON["address"] and detail["phone"] == PERSON["phone"]
    for role in (AUDITOR, ADMIN):
        seen = (await client.get(f"/api/v1/clients/{created['id']}", headers=role)).json()
        assert (seen["cin"], seen["email"], seen["address"], seen["phone"]) == (
            "JK****56",
            "s***@example.ma",
            "***",
            "+212*******78",
        ), role
        assert seen["full_name"] == PERSON["full_name"] and seen["status"] == "active"
    # A partner does not see a client the staff registered: it does not exist for it.
    assert (await client.get(f"/api/v1/clients/{created['id']}", headers=INTEGRATOR)).status_code == 404
    assert (await client.get("/api/v1/clients", headers=INTEGRATOR)).json()["page"]["total"] == 0


async def test_filters_by_status_and_name(in_process_system):
    _, client = in_process_system
    a = await _registered(client)
    await _registered(client, {**PERSON, "cin": "LM654321", "full_name": "Omar Tazi"})
    suspended = await client.post(
        f"/api/v1/clients/{a['id']}/status",
        json={"status": "suspended", "reason": "fraud check"},
        headers=OPERATOR,
    )
    await client.get(
        f"/api/v1/clients/{a['id']}",
        params={"consistency_token": suspended.json()["position"]},
        headers=AUDITOR,
    )
    by_status = (await client.get("/api/v1/clients", params={"status": "suspended"}, headers=AUDITOR)).json()
    by_name = (await client.get("/api/v1/clients", params={"name": "tazi"}, headers=AUDITOR)).json()
    assert [c["client_id"] for c in by_status["items"]] == [a["id"]]
    assert [c["full_name"] for c in by_name["items"]] == ["Omar Tazi"]
    assert (await client.get("/api/v1/clients", params={"cin": "not-a-cin"}, headers=AUDITOR)).json()[
        "items"
    ] == []


async def test_details_update_and_status_rules(in_process_system):
    _, client = in_process_system
    created = await _registered(client)
    details = {k: v for k, v in PERSON.items() if k != "cin"} | {"address": "9 Bd Zerktouni, Casablanca"}
    updated = await client.put(f"/api/v1/clients/{created['id']}", json=details, headers=OPERATOR)
    view = await client.get(
        f"/api/v1/clients/{created['id']}",
        params={"consistency_token": updated.json()["position"]},
        headers=OPERATOR,
    )
    assert view.json()["address"] == "9 Bd Zerktouni, Casablanca"
    same = await client.post(
        f"/api/v1/clients/{created['id']}/status", json={"status": "active", "reason": "x"}, headers=OPERATOR
    )
    assert same.status_code == 409 and same.json()["error"]["code"] == "client_status_unchanged"
    bad = await client.post(
        f"/api/v1/clients/{created['id']}/status", json={"status": "gone", "reason": "x"}, headers=OPERATOR
    )
    assert bad.status_code == 422
    closed = await client.post(
        f"/api/v1/clients/{created['id']}/status",
        json={"status": "closed", "reason": "moved"},
        headers=OPERATOR,
    )
    assert closed.status_code == 200
    reopen = await client.post(
        f"/api/v1/clients/{created['id']}/status", json={"status": "active", "reason": "x"}, headers=OPERATOR
    )
    assert reopen.status_code == 409 and reopen.json()["error"]["details"]["current_status"] == "closed"


async def test_unknown_client_is_404_everywhere(in_process_system):
    _, client = in_process_system
    missing = uuid.uuid4()
    details = {k: v for k, v in PERSON.items() if k != "cin"}
    assert (await client.get(f"/api/v1/clients/{missing}", headers=AUDITOR)).status_code == 404
    for response in (
        await client.put(f"/api/v1/clients/{missing}", json=details, headers=OPERATOR),
        await client.post(
            f"/api/v1/clients/{missing}/status", json={"status": "closed", "reason": "x"}, headers=OPERATOR
        ),
        await client.delete(f"/api/v1/clients/{missing}", headers=OPERATOR),
    ):
        assert response.status_code == 404 and response.json()["error"]["code"] == "client_not_found"


async def test_a_client_with_a_contract_is_not_erased_while_open(in_process_system):
    runtime, client = in_process_system
    customer = await register_client(client)
    offer = await create_offer(client)
    await provision(client, customer["id"], offer["id"])
    head = runtime.store.head()
    refused = await client.delete(f"/api/v1/clients/{customer['id']}", headers=OPERATOR)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "client_not_closed"
    assert runtime.store.head() == head


async def test_integrator_cannot_delete_and_auditor_cannot_update(in_process_system):
    _, client = in_process_system
    created = await _registered(client)
    integrator = INTEGRATOR
    assert (await client.delete(f"/api/v1/clients/{created['id']}", headers=integrator)).status_code == 403
    details = {k: v for k, v in PERSON.items() if k != "cin"}
    assert (
        await client.put(f"/api/v1/clients/{created['id']}", json=details, headers=AUDITOR)
    ).status_code == 403


async def test_a_partner_sees_and_updates_the_clients_it_brought_masked_and_no_other(in_process_system):
    _, client = in_process_system
    staffs = await _registered(client)
    brought = await client.post("/api/v1/clients", json={**PERSON, "cin": "PQ778899"}, headers=INTEGRATOR)
    assert brought.status_code == 201
    token = {"consistency_token": brought.json()["position"]}
    mine = await client.get(f"/api/v1/clients/{brought.json()['id']}", params=token, headers=INTEGRATOR)
    assert mine.status_code == 200
    assert (mine.json()["cin"], mine.json()["brought_by"]) == ("PQ****99", "partner:test-crm")
    listed = (await client.get("/api/v1/clients", headers=INTEGRATOR)).json()
    assert [c["client_id"] for c in listed["items"]] == [brought.json()["id"]]
    details = {k: v for k, v in PERSON.items() if k != "cin"}
    assert (
        await client.put(f"/api/v1/clients/{brought.json()['id']}", json=details, headers=INTEGRATOR)
    ).status_code == 200
    other = await client.put(f"/api/v1/clients/{staffs['id']}", json=details, headers=INTEGRATOR)
    assert other.status_code == 404 and other.json()["error"]["code"] == "client_not_found"
