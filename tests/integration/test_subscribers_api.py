"""Subscribers come from provisioning; reads for every role, status changes for admins."""

from __future__ import annotations

import uuid

from tests.flows import new_contract
from tests.support import ADMIN, AUDITOR, OPERATOR


async def _line_of(client, contract: dict) -> dict:
    view = await client.get(
        f"/api/v1/contracts/{contract['id']}",
        params={"consistency_token": contract["position"]},
        headers=AUDITOR,
    )
    return view.json()


async def test_provisioning_creates_a_line_with_a_mobile_number(in_process_system):
    _, client = in_process_system
    contract = await new_contract(client)
    summary = await _line_of(client, contract)
    assert summary["number"].startswith(("+2126", "+2127")) and len(summary["number"]) == 13
    line = await client.get(
        f"/api/v1/subscribers/{summary['subscriber_id']}",
        params={"consistency_token": contract["position"]},
        headers=AUDITOR,
    )
    assert line.status_code == 200
    assert line.json()["number"] == summary["number"] and line.json()["client_id"] == summary["client_id"]


async def test_list_filters_by_client_and_number_in_any_format(in_process_system):
    _, client = in_process_system
    first = await _line_of(client, await new_contract(client))
    await _line_of(client, await new_contract(client))
    by_client = (
        await client.get("/api/v1/subscribers", params={"client_id": first["client_id"]}, headers=AUDITOR)
    ).json()
    assert [s["subscriber_id"] for s in by_client["items"]] == [first["subscriber_id"]]
    national = "0" + first["number"][4:]
    by_number = (await client.get("/api/v1/subscribers", params={"number": national}, headers=AUDITOR)).json()
    assert by_number["page"]["total"] == 1
    everyone = (await client.get("/api/v1/subscribers", params={"limit": 1}, headers=AUDITOR)).json()
    assert everyone["page"]["total"] == 2 and len(everyone["items"]) == 1
    assert (await client.get("/api/v1/subscribers", params={"number": "garbage"}, headers=AUDITOR)).json()[
        "items"
    ] == []


async def test_admin_changes_a_line_status_and_others_cannot(in_process_system):
    _, client = in_process_system
    line = await _line_of(client, await new_contract(client))
    url = f"/api/v1/subscribers/{line['subscriber_id']}/status"
    assert (
        await client.post(url, json={"status": "suspended", "reason": "lost"}, headers=OPERATOR)
    ).status_code == 403
    changed = await client.post(url, json={"status": "suspended", "reason": "lost"}, headers=ADMIN)
    assert changed.status_code == 200
    view = await client.get(
        f"/api/v1/subscribers/{line['subscriber_id']}",
        params={"consistency_token": changed.json()["position"]},
        headers=AUDITOR,
    )
    assert view.json()["status"] == "suspended"
    again = await client.post(url, json={"status": "suspended", "reason": "lost"}, headers=ADMIN)
    assert again.status_code == 409 and again.json()["error"]["code"] == "subscriber_status_unchanged"


async def test_unknown_subscriber_is_404(in_process_system):
    _, client = in_process_system
    missing = uuid.uuid4()
    assert (await client.get(f"/api/v1/subscribers/{missing}", headers=AUDITOR)).json()["error"][
        "code"
    ] == "subscriber_not_found"
    response = await client.post(
        f"/api/v1/subscribers/{missing}/status", json={"status": "closed", "reason": "x"}, headers=ADMIN
    )
    assert response.status_code == 404
