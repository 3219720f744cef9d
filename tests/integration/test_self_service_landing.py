"""The public self-service landing on the real database: catalog, identity verification, a visitor's contracts,
plan changes and invoices."""

from __future__ import annotations

import uuid

from domain.self_service import contract_number
from tests.billing_flows import OCT_1, billed, billing_system, customer, offer
from tests.support import ADMIN, AUDITOR, OPERATOR

LANDING = "/api/v1/landing"


async def _line(client, client_id: str, offer_id: str, commitment: int = 0) -> dict:
    """A new line, once the read models show it."""
    body = {"client_id": client_id, "offer_id": offer_id, "commitment_months": commitment, "intent": "new_line"}
    created = await client.post("/api/v1/contracts", json=body, headers=OPERATOR)
    assert created.status_code == 201, created.text
    view = await client.get(f"/api/v1/contracts/{created.json()['id']}", params={"consistency_token": created.json()["position"]}, headers=AUDITOR)
    return view.json()


async def _cin(client, client_id: str) -> str:
    return (await client.get(f"/api/v1/clients/{client_id}", headers=OPERATOR)).json()["cin"]


async def _verify(client, cin: str, **factor):
    return await client.post(f"{LANDING}/verifications", json={"cin": cin, **factor})


async def _session(client, client_id: str, line: dict) -> dict[str, str]:
    verified = await _verify(client, await _cin(client, client_id), number=line["number"])
    assert verified.status_code == 201, verified.text
    return {"Authorization": f"Bearer {verified.json()['token']}"}


async def test_the_catalog_is_public_and_lists_only_offers_on_sale_by_service():
    async with billing_system() as (_, client):
        cheap, dear = await offer(client, "49.00"), await offer(client, "199.00")
        fiber = await offer(client, "299.00", service="internet")
        retired = await offer(client, "99.00")
        retirement = await client.post(f"/api/v1/offers/{retired}/retirement", headers=ADMIN)
        assert retirement.status_code == 200
        seen = await client.get(f"/api/v1/offers/{retired}", params={"consistency_token": retirement.json()["position"]}, headers=ADMIN)
        assert seen.json()["status"] == "retired"
        catalog = await client.get(f"{LANDING}/offers")
        assert catalog.status_code == 200
        services = {s["service"]: [o["offer_id"] for o in s["offers"]] for s in catalog.json()["services"]}
        assert services == {"mobile": [cheap, dear], "internet": [fiber], "landline": []}


async def test_a_visitor_proves_identity_with_cin_and_a_contract_or_service_number():
    async with billing_system() as (_, client):
        owner = await customer(client)
        line = await _line(client, owner, await offer(client, "99.00"))
        cin = await _cin(client, owner)
        by_number = await _verify(client, cin.lower(), number="0" + line["number"][4:])  # "ab123456", "06..."
        assert by_number.status_code == 201 and by_number.json()["client_id"] == owner
        printed = contract_number(uuid.UUID(line["contract_id"]), OCT_1)
        by_contract = await _verify(client, cin, contract_number=printed.lower())
        assert by_contract.status_code == 201 and by_contract.json()["client_id"] == owner

        stranger = await _line(client, await customer(client), await offer(client, "99.00"))
        for attempt in ({"number": stranger["number"]}, {"contract_number": "CT-2026-00000000"}):
            refused = await _verify(client, cin, **attempt)
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "verification_failed"
        unknown = await _verify(client, "ZZ999999", number=line["number"])
        assert unknown.status_code == 401 and unknown.json()["error"]["message"] == refused.json()["error"]["message"]
        both = await _verify(client, cin, number=line["number"], contract_number=printed)
        assert both.status_code == 422
        assert (await _verify(client, cin, number="12345")).json()["error"]["code"] == "invalid_number"


async def test_failed_verifications_are_limited_per_cin_and_per_address():
    async with billing_system(landing_failures_per_cin=3, landing_failures_per_address=5) as (_, client):
        owner = await customer(client)
        line = await _line(client, owner, await offer(client, "99.00"))
        cin = await _cin(client, owner)
        for _ in range(3):
            assert (await _verify(client, cin, contract_number="CT-2026-DEADBEEF")).status_code == 401
        blocked = await _verify(client, cin, number=line["number"])  # even the right factor waits
        assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "too_many_attempts"
        assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60

        other = await customer(client)
        other_line = await _line(client, other, await offer(client, "99.00"))
        for _ in range(2):  # the address has failed 3 times already: 2 more reach its limit of 5
            assert (await _verify(client, "QQ123456", number=other_line["number"])).status_code == 401
        by_address = await _verify(client, await _cin(client, other), number=other_line["number"])
        assert by_address.status_code == 429


async def test_a_visitor_sees_only_their_active_contracts_with_the_plan_changes_open_to_each():
    async with billing_system() as (_, client):
        owner = await customer(client)
        low, mid, high = await offer(client, "49.00"), await offer(client, "99.00"), await offer(client, "199.00")
        fiber = await offer(client, "299.00", service="internet")
        mobile = await _line(client, owner, mid, commitment=12)
        internet = await _line(client, owner, fiber)
        await _line(client, await customer(client), mid)  # someone else's
        session = await _session(client, owner, mobile)

        mine = (await client.get(f"{LANDING}/me/contracts", headers=session)).json()
        assert mine["client_id"] == owner
        assert [(s["service"], [c["contract_id"] for c in s["contracts"]]) for s in mine["services"]] == [
            ("mobile", [mobile["contract_id"]]), ("internet", [internet["contract_id"]])]
        (on_mobile,) = mine["services"][0]["contracts"]
        options = {o["offer"]["offer_id"]: (o["change"], o["earliest_effective_date"]) for o in on_mobile["plan_options"]}
        assert options == {low: ("downgrade", "2027-10-01"), high: ("upgrade", OCT_1.isoformat())}
        assert mine["services"][1]["contracts"][0]["plan_options"] == []  # the only internet offer is its own

        for bad in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": session["Authorization"] + "x"}):
            response = await client.get(f"{LANDING}/me/contracts", headers=bad)
            assert response.status_code == 401 and response.json()["error"]["code"] in ("verification_required", "visitor_token_invalid")


async def test_a_visitor_changes_plan_once_per_idempotency_key_under_the_operator_rules():
    async with billing_system() as (runtime, client):
        owner = await customer(client)
        low, mid, high = await offer(client, "49.00"), await offer(client, "99.00"), await offer(client, "199.00")
        line = await _line(client, owner, mid, commitment=12)
        session = await _session(client, owner, line)
        path = f"{LANDING}/me/contracts/{line['contract_id']}/plan-changes"
        upgrade = {"offer_id": high, "effective_date": "2026-10-15"}

        missing_key = await client.post(path, json=upgrade, headers=session)
        assert missing_key.status_code == 422
        first = await client.post(path, json=upgrade, headers={**session, "Idempotency-Key": "web-1"})
        assert first.status_code == 200 and first.json()["decision"] == "plan_change"
        events = await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events")
        again = await client.post(path, json=upgrade, headers={**session, "Idempotency-Key": "web-1"})
        assert again.json() == first.json() and await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events") == events
        reused = await client.post(path, json={**upgrade, "effective_date": "2026-10-20"}, headers={**session, "Idempotency-Key": "web-1"})
        assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"

        downgrade = await client.post(path, json={"offer_id": low, "effective_date": "2026-11-01"}, headers={**session, "Idempotency-Key": "web-2"})
        assert downgrade.status_code == 409 and downgrade.json()["error"]["code"] == "downgrade_blocked_by_commitment"
        past = await client.post(path, json={"offer_id": high, "effective_date": "2026-09-30"}, headers={**session, "Idempotency-Key": "web-3"})
        assert past.status_code == 422 and past.json()["error"]["code"] == "effective_date_in_past"
        someone_else = await _line(client, await customer(client), mid)
        foreign = await client.post(f"{LANDING}/me/contracts/{someone_else['contract_id']}/plan-changes", json=upgrade,
                                    headers={**session, "Idempotency-Key": "web-4"})
        assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "contract_not_found"

        trail = await client.get(f"/api/v1/contracts/{line['contract_id']}/audit-trail",
                                 params={"consistency_token": first.json()["position"]}, headers=AUDITOR)
        changed = [e for e in trail.json()["items"] if e["event_type"] == "ContractPlanChanged"]
        assert [(e["role"], e["actor"], e["effective_date"]) for e in changed] == [("self-service", f"client:{owner}", "2026-10-15")]


async def test_a_visitor_lists_and_downloads_only_their_own_invoices():
    async with billing_system() as (runtime, client):
        owner, other = await customer(client, "Salma Idrissi"), await customer(client, "Omar Alaoui")
        mobile = await offer(client, "99.00")
        line = await _line(client, owner, mobile)
        await _line(client, other, mobile)
        _, invoices = await billed(runtime, client)
        session = await _session(client, owner, line)

        mine = (await client.get(f"{LANDING}/me/invoices", headers=session)).json()
        assert [i["client_id"] for i in mine["items"]] == [owner] and mine["page"]["total"] == 1
        pdf = await client.get(f"{LANDING}/me/invoices/{mine['items'][0]['invoice_id']}/pdf", headers=session)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        (theirs,) = [i for i in invoices if i["client_id"] == other]
        refused = await client.get(f"{LANDING}/me/invoices/{theirs['invoice_id']}/pdf", headers=session)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "invoice_not_found"
