"""Offers through HTTP: validation per rule, versions, validity, categories, guarded delete."""

from __future__ import annotations

import uuid

import pytest

from tests.flows import create_offer, provision, register_client
from tests.support import ADMIN, AUDITOR, OPERATOR

FIBRE = {
    "name": "Fibre 100",
    "service": "internet",
    "family": "fiber",
    "monthly_fee": "349.00",
    "components": [{"kind": "fiber", "mbps": 100}, {"kind": "landline"}],
}


async def _post_offer(client, body) -> dict:
    response = await client.post("/api/v1/offers", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize(
    ("components", "code", "field"),
    [
        ([{"kind": "fiber", "mbps": 100}], "landline_component_required", "components"),
        ([{"kind": "landline"}], "internet_access_required", "components"),
        (
            [{"kind": "fiber", "mbps": 100}, {"kind": "adsl", "mbps": 8}, {"kind": "landline"}],
            "internet_access_required",
            "components",
        ),
        (
            [{"kind": "data", "gb": 5}, {"kind": "landline"}],
            "component_not_allowed_for_service",
            "components[0]",
        ),
        (
            [{"kind": "fiber", "mbps": 0}, {"kind": "landline"}],
            "component_quantity_not_positive",
            "components[0]",
        ),
    ],
)
async def test_each_component_rule_is_a_422_with_its_code_and_field(
    in_process_system, components, code, field
):
    runtime, client = in_process_system
    head = runtime.store.head()
    response = await client.post("/api/v1/offers", json={**FIBRE, "components": components}, headers=ADMIN)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["details"]["field"] == field
    assert runtime.store.head() == head


async def test_update_makes_a_new_version_and_old_versions_stay_readable(in_process_system):
    _, client = in_process_system
    offer = await _post_offer(client, FIBRE)
    terms = {k: v for k, v in FIBRE.items() if k != "service"}
    updated = await client.put(
        f"/api/v1/offers/{offer['id']}", json={**terms, "monthly_fee": "399.00"}, headers=ADMIN
    )
    assert updated.status_code == 200, updated.text
    token = {"consistency_token": updated.json()["position"]}
    current = await client.get(f"/api/v1/offers/{offer['id']}", params=token, headers=AUDITOR)
    versions = await client.get(f"/api/v1/offers/{offer['id']}/versions", params=token, headers=AUDITOR)
    assert current.json()["terms_version"] == 2 and current.json()["monthly_fee"] == "399.00"
    assert [(v["terms_version"], v["monthly_fee"]) for v in versions.json()] == [(1, "349.00"), (2, "399.00")]


async def test_a_contract_keeps_the_version_it_was_sold_on(in_process_system):
    _, client = in_process_system
    customer = await register_client(client)
    offer = await create_offer(client, monthly_fee="99.00")
    contract = await provision(client, customer["id"], offer["id"])
    terms = {
        "name": "Mobile 20 Go",
        "family": "4g",
        "monthly_fee": "149.00",
        "components": [{"kind": "data", "gb": 20}],
    }
    assert (await client.put(f"/api/v1/offers/{offer['id']}", json=terms, headers=ADMIN)).status_code == 200
    view = await client.get(
        f"/api/v1/contracts/{contract['id']}",
        params={"consistency_token": contract["position"]},
        headers=OPERATOR,
    )
    assert view.json()["offer_version"] == 1 and view.json()["monthly_fee"] == "99.00"


async def test_offer_outside_its_window_cannot_be_sold(in_process_system):
    runtime, client = in_process_system
    customer = await register_client(client)
    future = await _post_offer(client, {**FIBRE, "valid_from": "2099-01-01"})
    head = runtime.store.head()
    response = await client.post(
        "/api/v1/contracts", json={"client_id": customer["id"], "offer_id": future["id"]}, headers=OPERATOR
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "offer_not_sellable"
    assert runtime.store.head() == head


async def test_categories_group_by_service_and_family_with_tiers_by_fee(in_process_system):
    _, client = in_process_system
    for name, fee, family in [
        ("Fibre 200", "449.00", "fiber"),
        ("ADSL 8", "199.00", "adsl"),
        ("Fibre 100", "349.00", "fiber"),
    ]:
        access = "fiber" if family == "fiber" else "adsl"
        last = await _post_offer(
            client,
            {
                **FIBRE,
                "name": name,
                "monthly_fee": fee,
                "family": family,
                "components": [{"kind": access, "mbps": 8}, {"kind": "landline"}],
            },
        )
    await client.get(
        f"/api/v1/offers/{last['id']}", params={"consistency_token": last["position"]}, headers=AUDITOR
    )
    categories = (await client.get("/api/v1/offer-categories", headers=AUDITOR)).json()
    internet = next(c for c in categories if c["service"] == "internet")
    assert [t["name"] for t in internet["tiers"]] == ["ADSL 8", "Fibre 100", "Fibre 200"]
    assert [t["tier"] for t in internet["tiers"]] == [1, 2, 3]
    assert [(f["family"], [o["name"] for o in f["offers"]]) for f in internet["families"]] == [
        ("adsl", ["ADSL 8"]),
        ("fiber", ["Fibre 100", "Fibre 200"]),
    ]


async def test_offer_list_filters_and_paginates(in_process_system):
    _, client = in_process_system
    for fee in ("100.00", "200.00", "300.00"):
        last = await _post_offer(client, {**FIBRE, "monthly_fee": fee})
    await client.get(
        f"/api/v1/offers/{last['id']}", params={"consistency_token": last["position"]}, headers=AUDITOR
    )
    page = await client.get(
        "/api/v1/offers", params={"service": "internet", "limit": 2, "offset": 1}, headers=AUDITOR
    )
    assert page.json()["page"] == {"limit": 2, "offset": 1, "total": 3}
    assert [o["monthly_fee"] for o in page.json()["items"]] == ["200.00", "300.00"]
    none = await client.get("/api/v1/offers", params={"service": "landline"}, headers=AUDITOR)
    assert none.json()["items"] == []
    bad = await client.get("/api/v1/offers", params={"limit": 0}, headers=AUDITOR)
    assert bad.status_code == 422


async def test_delete_is_refused_once_sold_and_allowed_otherwise(in_process_system):
    runtime, client = in_process_system
    customer = await register_client(client)
    sold = await create_offer(client)
    await provision(client, customer["id"], sold["id"])
    refused = await client.delete(f"/api/v1/offers/{sold['id']}", headers=ADMIN)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "offer_delete_blocked"

    unsold = await _post_offer(client, FIBRE)
    deleted = await client.delete(f"/api/v1/offers/{unsold['id']}", headers=ADMIN)
    assert deleted.status_code == 200, deleted.text
    token = {"consistency_token": deleted.json()["position"]}
    assert (
        await client.get(f"/api/v1/offers/{unsold['id']}", params=token, headers=AUDITOR)
    ).status_code == 404
    assert (await client.get(f"/api/v1/offers/{unsold['id']}/versions", headers=AUDITOR)).status_code == 404
    resale = await client.post(
        "/api/v1/contracts", json={"client_id": customer["id"], "offer_id": unsold["id"]}, headers=OPERATOR
    )
    assert resale.status_code == 404 and resale.json()["error"]["code"] == "offer_not_found"


async def test_unknown_offer_is_404_and_non_admin_cannot_change_the_catalog(in_process_system):
    _, client = in_process_system
    missing = uuid.uuid4()
    assert (await client.get(f"/api/v1/offers/{missing}", headers=AUDITOR)).status_code == 404
    assert (await client.post(f"/api/v1/offers/{missing}/retirement", headers=ADMIN)).json()["error"][
        "code"
    ] == "offer_not_found"
    assert (await client.post("/api/v1/offers", json=FIBRE, headers=OPERATOR)).status_code == 403


async def test_retire_twice_is_409_with_state(in_process_system):
    _, client = in_process_system
    offer = await _post_offer(client, FIBRE)
    assert (await client.post(f"/api/v1/offers/{offer['id']}/retirement", headers=ADMIN)).status_code == 200
    again = await client.post(f"/api/v1/offers/{offer['id']}/retirement", headers=ADMIN)
    assert again.status_code == 409 and again.json()["error"]["details"]["current_status"] == "retired"
