"""Payments through HTTP and real Kafka: allocation, credit, credit used by the next invoice, reversal, mark-paid."""

from __future__ import annotations

from datetime import date

from schemas.envelopes import decode
from tests.billing_flows import act, billed, billing_system, contract, customer, offer
from tests.support import AUDITOR, OPERATOR, eventually, read_topic


async def _invoice(client, invoice_id: str, token: int | None = None) -> dict:
    params = {"consistency_token": token} if token else {}
    return (await client.get(f"/api/v1/invoices/{invoice_id}", params=params, headers=AUDITOR)).json()


async def _balance(client, client_id: str) -> dict:
    response = await client.get(f"/api/v1/clients/{client_id}/balance", headers=AUDITOR)
    assert response.status_code == 200, response.text
    return response.json()


async def _pay(client, body: dict, status: int = 201) -> dict:
    response = await client.post("/api/v1/payments", json=body, headers=OPERATOR)
    assert response.status_code == status, response.text
    return response.json()


async def test_payments_settle_oldest_first_overpayment_becomes_credit_used_by_the_next_invoice_and_reversal_reopens():
    async with billing_system(kafka=True) as (runtime, client):
        owner = await customer(client)
        await contract(client, owner, await offer(client, "99.00", "50.00"))
        _, (october,) = await billed(runtime, client)  # 50.00 + 99.00, gross 178.80
        assert october["gross"] == "178.80"

        first = await _pay(
            client,
            {"client_id": owner, "amount": "100.00", "method": "bank_transfer", "reference": "VIR-001"},
        )
        view = await _invoice(client, october["invoice_id"], first["position"])
        assert (view["status"], view["paid"], view["open_balance"]) == ("partially_paid", "100.00", "78.80")

        second = await _pay(
            client, {"client_id": owner, "amount": "100.00", "method": "cheque", "reference": "CHQ-778"}
        )
        again = await _pay(
            client,
            {"client_id": owner, "amount": "100.00", "method": "cheque", "reference": "CHQ-778"},
            status=200,
        )
        assert (
            again["id"] == second["id"]
            and again["created"] is False
            and again["position"] == second["position"]
        )
        view = await _invoice(client, october["invoice_id"], second["position"])
        assert (view["status"], view["open_balance"]) == ("paid", "0.00")
        assert [(s["kind"], s["amount"]) for s in view["settlements"]] == [
            ("payment", "100.00"),
            ("payment", "78.80"),
        ]
        await eventually(lambda: _credit_is(client, owner, "21.20"))

        _, invoices = await billed(runtime, client, "2026-11", on=date(2026, 12, 2))
        november = next(i for i in invoices if i["period"] == "2026-11")
        assert (november["gross"], november["paid"], november["status"]) == (
            "118.80",
            "21.20",
            "partially_paid",
        )
        await eventually(lambda: _credit_is(client, owner, "0.00"))

        reversed_ = await act(
            client, f"/api/v1/payments/{second['id']}/reversal", {"reason": "cheque bounced"}
        )
        twice = await client.post(
            f"/api/v1/payments/{second['id']}/reversal", json={"reason": "again"}, headers=OPERATOR
        )
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "payment_already_reversed"
        october = await _invoice(client, october["invoice_id"], reversed_["position"])
        november = await _invoice(client, november["invoice_id"], reversed_["position"])
        assert (october["status"], october["open_balance"]) == ("partially_paid", "78.80")
        assert (november["status"], november["open_balance"]) == ("issued", "118.80")

        runtime.clock.set_today(date(2026, 12, 10))  # October's invoice was due on 2 December
        balance = await _balance(client, owner)
        assert (balance["open"], balance["overdue"], balance["overdue_invoices"], balance["credit"]) == (
            "197.60",
            "78.80",
            1,
            "0.00",
        )

        marked = await act(client, f"/api/v1/invoices/{november['invoice_id']}/mark-paid", {}, 201)
        assert (await _invoice(client, november["invoice_id"], marked["position"]))["status"] == "paid"
        refused = await client.post(f"/api/v1/invoices/{november['invoice_id']}/mark-paid", headers=OPERATOR)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "invoice_not_open"

        listed = (await client.get("/api/v1/payments", params={"client": owner}, headers=AUDITOR)).json()[
            "items"
        ]
        assert [
            (p["reference"].rsplit("/", 1)[0] if p["method"] == "manual" else p["reference"], p["status"])
            for p in listed
        ] == [
            ("VIR-001", "received"),
            ("CHQ-778", "reversed"),
            (f"mark-paid/{november['number']}", "received"),
        ]
        assert listed[2]["amount"] == "118.80" and listed[2]["method"] == "manual"
        by_invoice = (
            await client.get("/api/v1/payments", params={"invoice": october["invoice_id"]}, headers=AUDITOR)
        ).json()["items"]
        assert {p["payment_id"] for p in by_invoice} == {first["id"], second["id"]}

        records = await read_topic(
            runtime.settings.kafka_bootstrap, runtime.settings.topic("payment"), expected=4
        )
        types = sorted(decode(r.value).type for r in records)
        assert types == ["mtf.payment.PaymentReceived"] * 3 + ["mtf.payment.PaymentReversed"]


async def _credit_is(client, owner: str, amount: str) -> bool:
    return (await _balance(client, owner))["credit"] == amount


async def test_bad_payments_are_refused_in_the_envelope_and_append_nothing():
    async with billing_system() as (runtime, client):
        owner, other = await customer(client), await customer(client, "Other")
        mobile = await offer(client, "99.00")
        await contract(client, owner, mobile)
        await contract(client, other, mobile)
        _, invoices = await billed(runtime, client)
        others = next(i for i in invoices if i["client_id"] == other)
        before = await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events")
        cases = [
            (
                {"client_id": owner, "amount": "0.00", "method": "cash", "reference": "R1"},
                422,
                "amount_not_positive",
            ),
            (
                {"client_id": owner, "amount": "-5.00", "method": "cash", "reference": "R2"},
                422,
                "amount_not_positive",
            ),
            (
                {"client_id": owner, "amount": "1.001", "method": "cash", "reference": "R3"},
                422,
                "validation_failed",
            ),
            (
                {
                    "client_id": "6f1d8a3c-0000-4000-8000-000000000000",
                    "amount": "5.00",
                    "method": "cash",
                    "reference": "R4",
                },
                404,
                "client_not_found",
            ),
            (
                {
                    "client_id": owner,
                    "amount": "5.00",
                    "method": "cash",
                    "reference": "R5",
                    "invoice_id": others["invoice_id"],
                },
                422,
                "invoice_of_another_client",
            ),
            (
                {
                    "client_id": owner,
                    "amount": "5.00",
                    "method": "cash",
                    "reference": "R6",
                    "invoice_id": "6f1d8a3c-0000-4000-8000-000000000001",
                },
                404,
                "invoice_not_found",
            ),
            (
                {"client_id": owner, "amount": "5.00", "method": "barter", "reference": "R7"},
                422,
                "validation_failed",
            ),
            (
                {
                    "client_id": owner,
                    "amount": "5.00",
                    "method": "cash",
                    "reference": "R8",
                    "received_on": "2026-12-01",
                },
                422,
                "received_on_in_future",
            ),
        ]
        for body, status, code in cases:
            response = await client.post("/api/v1/payments", json=body, headers=OPERATOR)
            assert (response.status_code, response.json()["error"]["code"]) == (status, code), body
        assert await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events") == before
        auditor = await client.post("/api/v1/payments", json=cases[0][0], headers=AUDITOR)
        assert auditor.status_code == 403


async def test_a_client_with_only_a_payment_keeps_it_as_credit_and_is_not_erased_while_open():
    async with billing_system() as (runtime, client):
        owner = await customer(client)
        paid = await _pay(
            client, {"client_id": owner, "amount": "40.00", "method": "cash", "reference": "CASH-9"}
        )
        view = (
            await client.get(
                f"/api/v1/payments/{paid['id']}",
                params={"consistency_token": paid["position"]},
                headers=AUDITOR,
            )
        ).json()
        assert (view["credited"], view["allocations"]) == ("40.00", [])
        refused = await client.delete(f"/api/v1/clients/{owner}", headers=OPERATOR)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "client_not_closed"
        assert (await _balance(client, owner))["credit"] == "40.00"
