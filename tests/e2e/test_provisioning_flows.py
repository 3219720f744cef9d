"""The provisioning rules' flows through HTTP, each checked against the events on mtf.contract.v1."""

from __future__ import annotations

from schemas.envelopes import decode
from tests import flows
from tests.support import AUDITOR, OPERATOR, read_topic

NEWCOMER = {
    "cin": "PQ 246810",
    "full_name": "Rachid Alami",
    "email": "rachid@example.ma",
    "address": "3 Rue Fès, Meknès",
}


async def _contract_events(settings, contract_id: str, expected_total: int) -> list[str]:
    records = await read_topic(settings.kafka_bootstrap, settings.topic("contract"), expected=expected_total)
    mine = sorted((r for r in records if r.key == contract_id.encode()), key=lambda r: r.offset)
    return [decode(r.value).event_name for r in mine]


async def _post(client, body: dict, **headers):
    return await client.post("/api/v1/contracts", json=body, headers={**OPERATOR, **headers})


async def test_new_client_inline_with_a_new_line(deployment):
    settings, _, client = deployment
    offer = await flows.create_offer(client)
    response = await _post(client, {"client": NEWCOMER, "offer_id": offer["id"], "commitment_months": 24})
    assert response.status_code == 201 and response.json()["decision"] == "new_line"
    created = response.json()
    assert await _contract_events(settings, created["id"], 3) == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
    ]
    view = (
        await client.get(
            f"/api/v1/contracts/{created['id']}",
            params={"consistency_token": created["position"]},
            headers=AUDITOR,
        )
    ).json()
    client_view = (
        await client.get(
            f"/api/v1/clients/{view['client_id']}",
            params={"consistency_token": created["position"]},
            headers=OPERATOR,
        )
    ).json()
    assert client_view["cin"] == "PQ246810" and client_view["contract_count"] == 1


async def test_existing_client_second_line_keeps_its_ported_number(deployment):
    settings, _, client = deployment
    first = await flows.new_contract(client)
    view = (
        await client.get(
            f"/api/v1/contracts/{first['id']}",
            params={"consistency_token": first["position"]},
            headers=AUDITOR,
        )
    ).json()
    offer = await flows.create_offer(client)
    response = await _post(
        client, {"client_id": view["client_id"], "offer_id": offer["id"], "number": "0698 765 432"}
    )
    assert response.status_code == 201 and response.json()["decision"] == "new_line"
    second = response.json()
    assert await _contract_events(settings, second["id"], 6) == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
    ]
    second_view = (
        await client.get(
            f"/api/v1/contracts/{second['id']}",
            params={"consistency_token": second["position"]},
            headers=AUDITOR,
        )
    ).json()
    assert second_view["number"] == "+212698765432"
    taken = await _post(
        client,
        {"client": {**NEWCOMER, "cin": "QR135791"}, "offer_id": offer["id"], "number": "+212698765432"},
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "number_taken"


async def test_existing_client_with_one_line_gets_a_plan_change(deployment):
    settings, _, client = deployment
    first = await flows.new_contract(client)
    view = (
        await client.get(
            f"/api/v1/contracts/{first['id']}",
            params={"consistency_token": first["position"]},
            headers=AUDITOR,
        )
    ).json()
    premium = await flows.create_offer(client, monthly_fee="199.00")
    response = await _post(client, {"client_id": view["client_id"], "offer_id": premium["id"]})
    assert response.status_code == 200, response.text
    assert response.json() | {"position": 0} == {"id": first["id"], "position": 0, "decision": "plan_change"}
    assert await _contract_events(settings, first["id"], 5) == [
        *["ContractProvisioned", "ContractActivated", "ContractDocumentIssued"],
        "ContractPlanChanged",
        "ContractDocumentIssued",
    ]


async def test_several_lines_without_a_target_is_ambiguous(deployment):
    settings, _, client = deployment
    first = await flows.new_contract(client)
    view = (
        await client.get(
            f"/api/v1/contracts/{first['id']}",
            params={"consistency_token": first["position"]},
            headers=AUDITOR,
        )
    ).json()
    offer = await flows.create_offer(client)
    second = await flows.provision(client, view["client_id"], offer["id"], intent="new_line")
    refused = await _post(client, {"client_id": view["client_id"], "offer_id": offer["id"]})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "ambiguous_target"
    candidates = {c["contract_id"] for c in refused.json()["error"]["details"]["candidates"]}
    assert candidates == {first["id"], second["id"]}
    targeted = await _post(
        client, {"client_id": view["client_id"], "offer_id": offer["id"], "target_contract_id": first["id"]}
    )
    assert (
        targeted.status_code == 200
        and targeted.json()["decision"] == "plan_change"
        and targeted.json()["id"] == first["id"]
    )
    assert await _contract_events(settings, first["id"], 8) == [
        *["ContractProvisioned", "ContractActivated", "ContractDocumentIssued"],
        "ContractPlanChanged",
        "ContractDocumentIssued",
    ]
    assert await _contract_events(settings, second["id"], 8) == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
    ]


async def test_idempotent_replay_of_a_provisioning_call(deployment):
    settings, _, client = deployment
    offer = await flows.create_offer(client)
    body = {"client": {**NEWCOMER, "cin": "ST112233"}, "offer_id": offer["id"]}
    first = await _post(client, body, **{"Idempotency-Key": "crm-7781"})
    replay = await _post(client, body, **{"Idempotency-Key": "crm-7781"})
    assert first.status_code == replay.status_code == 201 and replay.json() == first.json()
    assert await _contract_events(settings, first.json()["id"], 3) == [
        "ContractProvisioned",
        "ContractActivated",
        "ContractDocumentIssued",
    ]
    token = {"consistency_token": replay.json()["position"]}
    await client.get(f"/api/v1/contracts/{first.json()['id']}", params=token, headers=AUDITOR)
    listed = (await client.get("/api/v1/contracts", params={"offer": offer["id"]}, headers=AUDITOR)).json()
    assert listed["page"]["total"] == 1
