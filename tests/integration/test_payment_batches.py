"""Payment batches through HTTP: decided in order like single payments, appended all or none, safe to resend."""

from __future__ import annotations

from tests.billing_flows import billed, billing_system, contract, customer, offer
from tests.integration.test_payments_api import _balance, _invoice
from tests.support import AUDITOR, OPERATOR

UNKNOWN = "6f1d8a3c-0000-4000-8000-000000000000"


async def _send(client, payments: list[dict], status: int) -> dict:
    response = await client.post("/api/v1/payment-batches", json={"payments": payments}, headers=OPERATOR)
    assert response.status_code == status, response.text
    return response.json()


async def test_a_statement_settles_invoices_in_order_and_sent_again_records_nothing():
    async with billing_system() as (runtime, client):
        owner, other = await customer(client), await customer(client, "Other")
        mobile = await offer(client, "99.00")  # gross 118.80
        await contract(client, owner, mobile)
        await contract(client, other, mobile)
        _, invoices = await billed(runtime, client)
        mine = next(i for i in invoices if i["client_id"] == owner)
        theirs = next(i for i in invoices if i["client_id"] == other)
        statement = [
            {"client_id": owner, "amount": "100.00", "method": "bank_transfer", "reference": "REL-1"},
            {"client_id": other, "amount": "118.80", "method": "bank_transfer", "reference": "REL-2"},
            {
                "client_id": owner,
                "amount": "30.00",
                "method": "bank_transfer",
                "reference": "REL-3",
            },  # 18.80 due, 11.20 credit
        ]
        recorded = await _send(client, statement, 201)
        assert [p["created"] for p in recorded["payments"]] == [True, True, True]

        mine = await _invoice(client, mine["invoice_id"], recorded["position"])
        assert (mine["status"], mine["open_balance"]) == ("paid", "0.00")
        assert [s["amount"] for s in mine["settlements"]] == ["100.00", "18.80"]
        assert (await _invoice(client, theirs["invoice_id"], recorded["position"]))["status"] == "paid"
        assert (await _balance(client, owner))["credit"] == "11.20"

        before = await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events")
        again = await _send(client, statement, 200)
        assert [(p["id"], p["created"]) for p in again["payments"]] == [
            (p["id"], False) for p in recorded["payments"]
        ]
        assert await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events") == before

        listed = (await client.get("/api/v1/payments", params={"client": owner}, headers=AUDITOR)).json()[
            "items"
        ]
        assert [(p["reference"], p["amount"], p["credited"]) for p in listed] == [
            ("REL-1", "100.00", "0.00"),
            ("REL-3", "30.00", "11.20"),
        ]


async def test_one_refused_payment_refuses_the_batch_and_appends_nothing():
    async with billing_system() as (runtime, client):
        owner = await customer(client)
        await contract(client, owner, await offer(client, "99.00"))
        await billed(runtime, client)
        good = {"client_id": owner, "amount": "10.00", "method": "cash", "reference": "C-1"}
        before = await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events")

        refused = await _send(
            client,
            [
                good,
                {**good, "client_id": UNKNOWN, "reference": "C-2"},
                {**good, "amount": "0", "reference": "C-3"},
            ],
            422,
        )
        error = refused["error"]
        assert error["code"] == "payment_batch_refused"
        assert [(r["index"], r["code"]) for r in error["details"]["refused"]] == [
            (1, "client_not_found"),
            (2, "amount_not_positive"),
        ]

        repeated = await _send(client, [good, good], 422)
        assert (repeated["error"]["code"], repeated["error"]["details"]["first_index"]) == (
            "payment_repeated_in_batch",
            0,
        )
        assert (await _send(client, [], 422))["error"]["code"] == "validation_failed"
        too_many = [{**good, "reference": f"C-{i}"} for i in range(501)]
        assert (await _send(client, too_many, 422))["error"]["code"] == "validation_failed"
        assert await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events") == before

        auditor = await client.post("/api/v1/payment-batches", json={"payments": [good]}, headers=AUDITOR)
        assert auditor.status_code == 403
