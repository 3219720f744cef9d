"""Aging, sweeps, collection cases and delinquency through HTTP, with the reminders read back from Kafka."""

from __future__ import annotations

from datetime import date

from schemas.envelopes import decode
from tests.billing_flows import act, billed, billing_system, contract, customer, offer
from tests.processes import run_cli
from tests.support import AUDITOR, OPERATOR, eventually, read_topic, settings_env


async def _sweep(runtime, client, day: date, expect: int = 201) -> dict:
    runtime.clock.set_today(day)
    response = await client.post(
        "/api/v1/collections/sweeps", json={"as_of": day.isoformat()}, headers=OPERATOR
    )
    assert response.status_code == expect, response.text
    return response.json()


async def _aging(http, day: date, **filters) -> dict:
    response = await http.get("/api/v1/aging", params={"as_of": day.isoformat(), **filters}, headers=AUDITOR)
    assert response.status_code == 200, response.text
    return response.json()


async def _cases(client, owner: str) -> list[dict]:
    return (await client.get("/api/v1/collection-cases", params={"client": owner}, headers=AUDITOR)).json()[
        "items"
    ]


async def _delinquent(client, owner: str) -> bool:
    return (await client.get(f"/api/v1/clients/{owner}", headers=AUDITOR)).json()["delinquent"]


async def test_a_late_client_goes_through_reminder_case_broken_promise_warning_delinquency_and_back():
    async with billing_system(kafka=True) as (runtime, client):
        payer, late = await customer(client, "Payer"), await customer(client, "Late Payer")
        await contract(client, payer, await offer(client, "99.00"))
        await contract(client, late, await offer(client, "199.00", service="internet"))
        _, invoices = await billed(runtime, client)  # issued 2026-11-02, due 2026-12-02
        owed = next(i for i in invoices if i["client_id"] == late)["gross"]
        await act(
            client,
            "/api/v1/payments",
            {"client_id": payer, "amount": "118.80", "method": "card", "reference": "CB-1"},
            201,
        )

        assert (await _sweep(runtime, client, date(2026, 12, 2)))["outcomes"] == {}
        first = await _sweep(runtime, client, date(2026, 12, 3))
        assert first["outcomes"] == {"ClientCollectionsOpened": 1, "PaymentReminderDue": 1}
        again = await _sweep(runtime, client, date(2026, 12, 3), expect=200)
        assert again["id"] == first["id"] and again["created"] is False

        opened = await _sweep(runtime, client, date(2026, 12, 17))
        assert opened["outcomes"] == {"CollectionCaseAttached": 1, "CollectionCaseOpened": 1}
        (case,) = await eventually(lambda: _cases(client, late))
        assert (case["status"], case["days_past_due"], case["overdue"]) == ("open", 15, owed)
        promised = await act(
            client,
            f"/api/v1/collection-cases/{case['case_id']}/actions",
            {
                "kind": "promise_to_pay",
                "promise_date": "2026-12-20",
                "promise_amount": owed,
                "note": "salary on the 20th",
            },
        )
        view = (
            await client.get(
                f"/api/v1/collection-cases/{case['case_id']}",
                params={"consistency_token": promised["position"]},
                headers=AUDITOR,
            )
        ).json()
        assert (view["status"], view["promise_date"]) == ("promise_to_pay", "2026-12-20")

        broken = await _sweep(runtime, client, date(2026, 12, 21))
        assert broken["outcomes"] == {"CollectionPromiseBroken": 1}
        assert (await _sweep(runtime, client, date(2027, 1, 1)))["outcomes"] == {"PaymentWarningDue": 1}
        assert (await _sweep(runtime, client, date(2027, 1, 31)))["outcomes"] == {"ClientMarkedDelinquent": 1}
        assert await eventually(lambda: _delinquent(client, late))
        assert not await _delinquent(client, payer)

        aging = await _aging(client, date(2027, 1, 31))
        assert (
            aging["portfolio"]["d31_60"] == owed and aging["portfolio"]["total"] == owed
        )  # 60 days past due
        assert [(row["client_id"], row["d31_60"]) for row in aging["clients"]] == [(late, owed)]
        assert (await _aging(client, date(2026, 12, 1)))["portfolio"][
            "current"
        ] == owed  # the payer had paid by then
        assert (await _aging(client, date(2027, 1, 31), service="internet"))["portfolio"]["total"] == owed
        assert (await _aging(client, date(2027, 1, 31), service="mobile"))["portfolio"]["total"] == "0.00"
        assert (await _aging(client, date(2027, 1, 31), client=payer))["clients"] == []
        assert (
            await client.get("/api/v1/aging", params={"as_of": "2027-02-30"}, headers=AUDITOR)
        ).status_code == 422

        runtime.clock.set_today(date(2027, 2, 1))
        paid = await act(
            client,
            "/api/v1/payments",
            {"client_id": late, "amount": owed, "method": "bank_transfer", "reference": "VIR-LATE"},
            201,
        )
        await client.get(
            f"/api/v1/payments/{paid['id']}", params={"consistency_token": paid["position"]}, headers=AUDITOR
        )
        await eventually(lambda: _aging_total_is(client, date(2027, 2, 1), "0.00"))
        assert (await _aging(client, date(2027, 1, 31)))["portfolio"][
            "total"
        ] == owed  # received on 1 February
        back = await _sweep(runtime, client, date(2027, 2, 1))
        assert back["outcomes"] == {
            "ClientDelinquencyCleared": 1,
            "CollectionCaseResolved": 1,
            "CollectionsEpisodeClosed": 1,
        }
        assert await eventually(lambda: _not_delinquent(client, late))
        resolved = await eventually(lambda: _resolved(client, late))
        assert [e["event"] for e in resolved["history"]] == [
            "CollectionCaseOpened",
            "CollectionActionRecorded",
            "CollectionPromiseBroken",
            "CollectionCaseResolved",
        ]
        closed = await client.post(
            f"/api/v1/collection-cases/{case['case_id']}/actions",
            json={"kind": "call_logged"},
            headers=OPERATOR,
        )
        assert closed.status_code == 409 and closed.json()["error"]["code"] == "collection_case_closed"

        records = await read_topic(
            runtime.settings.kafka_bootstrap, runtime.settings.topic("collections"), expected=6
        )
        kinds = sorted(decode(r.value).type.rsplit(".", 1)[1] for r in records)
        for once in (
            "PaymentReminderDue",
            "PaymentWarningDue",
            "ClientMarkedDelinquent",
            "ClientDelinquencyCleared",
        ):
            assert kinds.count(once) == 1, kinds
        reminder = next(
            decode(r.value) for r in records if decode(r.value).type.endswith("PaymentReminderDue")
        )
        assert (
            reminder.data["client_id"] == late
            and reminder.data["days_past_due"] == 1
            and reminder.data["overdue"] == owed
        )

        before = await _aging(client, date(2027, 1, 15))
        env = {**settings_env(runtime.settings), "MTF_KAFKA_BOOTSTRAP": ""}
        replayed = await run_cli(["replay", "invoice_register"], env)
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert await _aging(client, date(2027, 1, 15)) == before


async def _aging_total_is(client, day: date, total: str) -> bool:
    return (await _aging(client, day))["portfolio"]["total"] == total


async def _not_delinquent(client, owner: str) -> bool:
    return not await _delinquent(client, owner)


async def _resolved(client, owner: str):
    cases = await _cases(client, owner)
    return cases and cases[0]["status"] == "resolved" and cases[0]


async def test_sweeps_refuse_the_future_and_the_cli_sweeps_once_per_day():
    async with billing_system() as (runtime, client):
        runtime.clock.set_today(date(2026, 12, 1))
        future = await client.post(
            "/api/v1/collections/sweeps", json={"as_of": "2026-12-02"}, headers=OPERATOR
        )
        assert future.status_code == 422 and future.json()["error"]["code"] == "as_of_in_future"
        env = {**settings_env(runtime.settings), "MTF_KAFKA_BOOTSTRAP": "", "MTF_FIXED_TODAY": "2026-12-01"}
        first = await run_cli(["collections-sweep", "--as-of", "2026-12-01"], env)
        second = await run_cli(["collections-sweep"], env)
        assert "done now" in first.stdout and "already done earlier" in second.stdout, (
            first.stdout + second.stdout
        )
