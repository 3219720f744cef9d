"""The worked examples of docs/billing.md, each billed through HTTP on the real database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.billing_flows import act, billed, billing_system, contract, customer, offer


def amounts(line: dict) -> tuple:
    return line["kind"], line.get("days"), line["net"], line["tax"], line["gross"]


async def test_mid_month_upgrade_bills_each_offer_version_for_its_days():
    async with billing_system() as (runtime, client):
        basic, plus = await offer(client, "99.00", "50.00"), await offer(client, "149.00")
        owner = await customer(client)
        line = await contract(client, owner, basic, commitment=12)
        runtime.clock.set_today(date(2026, 10, 10))
        await act(
            client,
            f"/api/v1/contracts/{line}/plan-changes",
            {"offer_id": plus, "effective_date": "2026-10-16"},
        )
        _, (invoice,) = await billed(runtime, client)
    assert [amounts(line) for line in invoice["lines"]] == [
        ("activation_fee", None, "50.00", "10.00", "60.00"),
        ("recurring", 15, "47.90", "9.58", "57.48"),  # 99.00 x 15/31 = 47.903
        ("recurring", 16, "76.90", "15.38", "92.28"),  # 149.00 x 16/31 = 76.903
    ]
    assert [line["offer_version"] for line in invoice["lines"][1:]] == [1, 1] and invoice["lines"][2][
        "offer_id"
    ] == plus
    assert (invoice["net"], invoice["tax"], invoice["gross"]) == ("174.80", "34.96", "209.76")


async def test_suspended_days_are_not_billed():
    async with billing_system() as (runtime, client):
        line = await contract(client, await customer(client), await offer(client, "99.00"))
        runtime.clock.set_today(date(2026, 10, 11))
        await act(client, f"/api/v1/contracts/{line}/suspension", {"reason": "lost phone"})
        runtime.clock.set_today(date(2026, 10, 21))
        await act(client, f"/api/v1/contracts/{line}/resumption", {})
        _, (invoice,) = await billed(runtime, client)
    (recurring,) = invoice["lines"]
    # Active 1-10 and 21-31 October: 21 of 31 days.
    assert amounts(recurring) == ("recurring", 21, "67.06", "13.41", "80.47")
    assert (recurring["service_from"], recurring["service_to"]) == ("2026-10-01", "2026-10-31")


async def test_early_termination_charges_the_remaining_whole_months():
    async with billing_system() as (runtime, client):
        line = await contract(client, await customer(client), await offer(client, "99.00"), commitment=12)
        runtime.clock.set_today(date(2026, 10, 20))
        await act(
            client,
            f"/api/v1/contracts/{line}/termination",
            {"reason": "moving abroad", "early_termination": True},
        )
        _, (invoice,) = await billed(runtime, client)
    # Billed 1-19 October; from 20 October 2026 to 1 October 2027 are 11 whole months.
    assert [amounts(line) for line in invoice["lines"]] == [
        ("recurring", 19, "60.68", "12.14", "72.82"),
        ("early_termination", None, "1089.00", "217.80", "1306.80"),
    ]


async def test_contract_and_client_discounts_are_negative_lines():
    async with billing_system() as (runtime, client):
        owner = await customer(client)
        mobile = await contract(client, owner, await offer(client, "99.00"))
        internet = await contract(client, owner, await offer(client, "299.00", service="internet"))
        await act(
            client,
            "/api/v1/discounts",
            {
                "client_id": owner,
                "contract_id": internet,
                "kind": "fixed",
                "value": "50.00",
                "from_period": "2026-10",
                "to_period": "2026-12",
                "label": "Fiber welcome",
            },
            201,
        )
        await act(
            client,
            "/api/v1/discounts",
            {
                "client_id": owner,
                "kind": "percent",
                "value": "10",
                "from_period": "2026-10",
                "label": "Loyalty",
            },
            201,
        )
        _, (invoice,) = await billed(runtime, client)
    lines = {(line["kind"], line.get("contract_id"), line["net"]) for line in invoice["lines"]}
    assert lines == {
        ("recurring", mobile, "99.00"),
        ("recurring", internet, "299.00"),
        ("discount", internet, "-50.00"),  # fixed, on that contract
        ("discount", None, "-34.80"),  # 10% of what remains: (99.00 + 249.00) x 10%
    }
    assert (invoice["net"], invoice["tax"], invoice["gross"]) == ("313.20", "62.64", "375.84")


async def test_a_client_with_three_lines_gets_one_invoice():
    async with billing_system() as (runtime, client):
        owner = await customer(client)
        await contract(client, owner, await offer(client, "99.00", "50.00"))
        await contract(client, owner, await offer(client, "299.00", "200.00", service="internet"))
        await contract(client, owner, await offer(client, "49.00", service="landline"))
        other = await customer(client, "Youssef Alaoui")
        await contract(client, other, await offer(client, "79.00"))
        _, invoices = await billed(runtime, client)
    mine = next(i for i in invoices if i["client_id"] == owner)
    assert len(invoices) == 2
    assert sorted(line["service"] for line in mine["lines"]) == [
        "internet",
        "internet",
        "landline",
        "mobile",
        "mobile",
    ]
    assert (mine["net"], mine["tax"], mine["gross"]) == ("697.00", "139.40", "836.40")
    assert sum(Decimal(line["gross"]) for line in mine["lines"]) == Decimal(mine["gross"])
    assert sorted(mine["services"]) == ["internet", "landline", "mobile"]
