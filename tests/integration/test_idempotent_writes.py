"""An Idempotency-Key on the POSTs that move money or state: the same request again answers the first
result and appends nothing, a different request under the same key is refused, and two copies sent at
once take effect once. Real PostgreSQL; the system in this process."""

from __future__ import annotations

import asyncio
import uuid

from tests.billing_flows import billed, billing_system, contract, customer, offer
from tests.support import ADMIN, OPERATOR

OFFER = {
    "name": "Fibre 100",
    "service": "internet",
    "family": "fibre",
    "monthly_fee": "299.00",
    "components": [{"kind": "fiber", "mbps": 100}, {"kind": "landline"}],
}


async def _twice(client, path: str, body: dict, headers: dict) -> tuple:
    keyed = {**headers, "Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = await client.post(path, json=body, headers=keyed)
    head = first.json().get("position")
    again = await client.post(path, json=body, headers=keyed)
    return first, again, head, keyed


async def test_each_keyed_write_sent_again_answers_the_first_result_and_appends_nothing():
    async with billing_system() as (runtime, client):
        mobile = await offer(client, "100.00")
        owner = await customer(client)
        line = await contract(client, owner, mobile)
        _, invoices = await billed(runtime, client)
        invoice = invoices[0]
        payment = {"client_id": owner, "amount": "20.00", "method": "cash", "reference": "R-1"}
        paid = (await client.post("/api/v1/payments", json=payment, headers=OPERATOR)).json()

        writes = [
            ("/api/v1/offers", OFFER, ADMIN),
            (
                f"/api/v1/invoices/{invoice['invoice_id']}/credit-notes",
                {"reason": "goodwill", "lines": [{"line_no": 1, "net": "5.00"}]},
                OPERATOR,
            ),
            (
                "/api/v1/discounts",
                {
                    "client_id": owner,
                    "kind": "percent",
                    "value": "10",
                    "from_period": "2026-12",
                    "label": "loyal",
                },
                OPERATOR,
            ),
            (f"/api/v1/payments/{paid['id']}/reversal", {"reason": "cheque bounced"}, OPERATOR),
            (f"/api/v1/contracts/{line}/suspension", {"reason": "travel"}, OPERATOR),
        ]
        for path, body, headers in writes:
            head_before = runtime.store.head()
            first, again, _, _ = await _twice(client, path, body, headers)
            assert first.status_code in (200, 201), (path, first.text)
            assert again.status_code == first.status_code, (path, again.text)
            assert again.json() == first.json(), path
            assert runtime.store.head() == first.json()["position"] > head_before, path


async def test_a_different_request_under_a_used_key_is_refused_and_changes_nothing():
    async with billing_system() as (runtime, client):
        keyed = {**ADMIN, "Idempotency-Key": "offer-2026-12-07"}
        assert (await client.post("/api/v1/offers", json=OFFER, headers=keyed)).status_code == 201
        head = runtime.store.head()
        other = await client.post("/api/v1/offers", json={**OFFER, "monthly_fee": "199.00"}, headers=keyed)
        assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
        assert runtime.store.head() == head


async def test_two_copies_sent_at_once_take_effect_once():
    async with billing_system() as (runtime, client):
        mobile = await offer(client, "100.00")
        owner = await customer(client)
        await contract(client, owner, mobile)
        _, invoices = await billed(runtime, client)
        path = f"/api/v1/invoices/{invoices[0]['invoice_id']}/credit-notes"
        body = {"reason": "goodwill", "lines": [{"line_no": 1, "net": "5.00"}]}
        keyed = {**OPERATOR, "Idempotency-Key": "credit-once"}
        answers = await asyncio.gather(*(client.post(path, json=body, headers=keyed) for _ in range(4)))
        assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        notes = await client.get(
            "/api/v1/credit-notes",
            params={"consistency_token": answers[0].json()["position"]},
            headers=OPERATOR,
        )
        assert notes.json()["page"]["total"] == 1


async def test_a_plan_change_sent_again_with_its_key_answers_the_first_change_and_appends_nothing():
    async with billing_system() as (runtime, client):
        basic, plus = await offer(client, "99.00"), await offer(client, "149.00")
        line = await contract(client, await customer(client), basic)
        path = f"/api/v1/contracts/{line}/plan-changes"
        first, again, _, keyed = await _twice(
            client, path, {"offer_id": plus, "effective_date": "2026-10-16"}, OPERATOR
        )
        assert first.status_code == 200 and first.json()["change"] == "upgrade", first.text
        assert again.status_code == 200 and again.json() == first.json()
        assert runtime.store.head() == first.json()["position"]
        other = await client.post(
            path, json={"offer_id": basic, "effective_date": "2026-10-20"}, headers=keyed
        )
        assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


async def test_a_keyed_body_with_an_integer_beyond_64_bits_is_taken_not_a_500():
    async with billing_system() as (runtime, client):
        body = {**OFFER, "components": [{"kind": "fiber", "mbps": 100}, {"kind": "landline", "note": 2**70}]}
        keyed = {**ADMIN, "Idempotency-Key": "big-integer"}
        answers = [await client.post("/api/v1/offers", json=body, headers=keyed) for _ in range(2)]
        assert answers[0].status_code < 500, answers[0].text
        assert answers[1].status_code == answers[0].status_code and answers[1].json() == answers[0].json()


async def test_a_keyed_payment_sent_again_is_the_first_and_another_under_its_key_is_refused():
    async with billing_system() as (runtime, client):
        owner = await customer(client)
        keyed = {**OPERATOR, "Idempotency-Key": "bank-file-7-line-3"}
        payment = {"client_id": owner, "amount": "20.00", "method": "bank_transfer", "reference": "VIR-77"}
        first = await client.post("/api/v1/payments", json=payment, headers=keyed)
        assert first.status_code == 201 and first.json()["created"] is True, first.text
        head = runtime.store.head()
        again = await client.post("/api/v1/payments", json=payment, headers=keyed)
        assert again.status_code == 200, again.text
        assert (again.json()["id"], again.json()["position"], again.json()["created"]) == (
            first.json()["id"],
            first.json()["position"],
            False,
        )
        other = await client.post("/api/v1/payments", json={**payment, "reference": "VIR-78"}, headers=keyed)
        assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
        assert runtime.store.head() == head
