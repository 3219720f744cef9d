"""GET /aging, for the portfolio and per client, equals aging worked out from the event log itself.

Part payments, an overpayment whose credit settles the next invoice, and a reversal give dated
settlements. Days before the last of them take the as-of path; the others read the open amounts
per due date (the whole portfolio) or the index of open invoices (filtered).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from commands.receivables_input import read_receivables
from domain.collections import aging_bucket
from projections.invoice_register import OPEN_BY_DUE_DATE, PROJECTION
from tests.billing_flows import act, billed, billing_system, contract, customer, offer
from tests.support import AUDITOR, eventually

NAMES = {"current": "current", "1-30": "d1_30", "31-60": "d31_60", "61-90": "d61_90", "90+": "d90_plus"}
DAYS = [
    date(2026, 11, 1),
    date(2026, 11, 21),
    date(2026, 11, 26),
    date(2026, 12, 2),
    date(2026, 12, 3),
    date(2026, 12, 12),
    date(2026, 12, 15),
    date(2027, 1, 2),
    date(2027, 2, 1),
    date(2027, 3, 3),
    date(2027, 6, 1),
]


def _from_the_log(store, day: date, service_clients: set[str] | None = None) -> dict:
    """Aging computed straight from the recorded invoice events, with the domain's bucket rule."""
    portfolio = {name: Decimal("0.00") for name in (*NAMES.values(), "total")}
    clients: dict[str, dict] = {}
    for client_id, receivables in read_receivables(store, store.head()).items():
        if service_clients is not None and str(client_id) not in service_clients:
            continue
        for receivable in receivables:
            owed = receivable.owed_on(day)
            if receivable.issue_date > day or owed <= 0:
                continue
            row = clients.setdefault(
                str(client_id),
                {"client_id": str(client_id), **{n: Decimal("0.00") for n in (*NAMES.values(), "total")}},
            )
            for amounts in (portfolio, row):
                amounts[NAMES[aging_bucket(day, receivable.due_date)]] += owed
                amounts["total"] += owed
    as_text = lambda amounts: {k: str(v) if isinstance(v, Decimal) else v for k, v in amounts.items()}  # noqa: E731
    return {"portfolio": as_text(portfolio), "clients": [as_text(clients[c]) for c in sorted(clients)]}


async def _aging(http, day: date, **filters) -> dict:
    response = await http.get(
        "/api/v1/aging", params={"as_of": day.isoformat(), "limit": 500, **filters}, headers=AUDITOR
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return {"portfolio": body["portfolio"], "clients": body["clients"]}


async def test_aging_on_any_day_equals_aging_computed_from_the_event_log():
    async with billing_system() as (runtime, client):
        partial, reversed_payer, overpayer, silent = [
            await customer(client, name) for name in ("Partial", "Bounced", "Credit", "Silent")
        ]
        await contract(client, partial, await offer(client, "99.00"))
        await contract(client, reversed_payer, await offer(client, "199.00", service="internet"))
        await contract(client, overpayer, await offer(client, "49.00", "20.00", service="landline"))
        await contract(client, silent, await offer(client, "149.00"))
        await billed(runtime, client)  # issued 2026-11-02, due 2026-12-02

        runtime.clock.set_today(date(2026, 11, 25))
        await act(
            client,
            "/api/v1/payments",
            {
                "client_id": partial,
                "amount": "50.00",
                "method": "card",
                "reference": "CB-1",
                "received_on": "2026-11-20",
            },
            201,
        )
        await act(
            client,
            "/api/v1/payments",
            {"client_id": overpayer, "amount": "200.00", "method": "cash", "reference": "ESP-1"},
            201,
        )
        await billed(
            runtime, client, "2026-11", on=date(2026, 12, 2)
        )  # the overpayer's credit settles November
        runtime.clock.set_today(date(2026, 12, 10))
        bounced = await act(
            client,
            "/api/v1/payments",
            {"client_id": reversed_payer, "amount": "238.80", "method": "cheque", "reference": "CHQ-9"},
            201,
        )
        runtime.clock.set_today(date(2026, 12, 15))
        await act(client, f"/api/v1/payments/{bounced['id']}/reversal", {"reason": "cheque bounced"})

        for day in DAYS:
            expected = _from_the_log(runtime.store, day)
            assert await eventually(lambda: _aging_is(client, day, expected)), day
        internet = _from_the_log(runtime.store, date(2027, 1, 2), {reversed_payer})
        assert await _aging(client, date(2027, 1, 2), service="internet") == internet
        assert Decimal(internet["portfolio"]["total"]) > 0
        assert await _aging(client, date(2026, 12, 12), client=silent) == _from_the_log(
            runtime.store, date(2026, 12, 12), {silent}
        )

        # A register projected before the open amounts per due date existed: they are derived from it.
        async with runtime.pool.acquire() as conn:
            await conn.execute(f"DROP TABLE {OPEN_BY_DUE_DATE}")
            await conn.execute(PROJECTION.ddl)
        assert await _aging(client, date(2027, 2, 1)) == _from_the_log(runtime.store, date(2027, 2, 1))


async def _aging_is(http, day: date, expected: dict) -> bool:
    return await _aging(http, day) == expected
