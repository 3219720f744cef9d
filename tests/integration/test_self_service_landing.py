"""The public self-service landing on the real database: catalog, identity verification, a visitor's contracts,
plan changes and invoices."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timedelta

from domain.numbers import normalize_number
from tests.billing_flows import OCT_1, billed, billing_system, customer, offer
from tests.support import ADMIN, AUDITOR, OPERATOR

LANDING = "/api/v1/landing"


async def _line(client, client_id: str, offer_id: str, commitment: int = 0) -> dict:
    """A new line, once the read models show it."""
    body = {
        "client_id": client_id,
        "offer_id": offer_id,
        "commitment_months": commitment,
        "intent": "new_line",
    }
    created = await client.post("/api/v1/contracts", json=body, headers=OPERATOR)
    assert created.status_code == 201, created.text
    view = await client.get(
        f"/api/v1/contracts/{created.json()['id']}",
        params={"consistency_token": created.json()["position"]},
        headers=AUDITOR,
    )
    return view.json()


async def _cin(client, client_id: str) -> str:
    return (await client.get(f"/api/v1/clients/{client_id}", headers=OPERATOR)).json()["cin"]


async def _events(runtime) -> int:
    return await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events")


async def _committed_visitor(runtime, client) -> tuple[str, tuple[str, str, str], dict, dict[str, str]]:
    """A verified visitor with a 12-month line on the middle of three mobile offers (49, 99, 199)."""
    owner = await customer(client)
    low, mid, high = await offer(client, "49.00"), await offer(client, "99.00"), await offer(client, "199.00")
    line = await _line(client, owner, mid, commitment=12)
    return owner, (low, mid, high), line, await _session(runtime, client, owner, line)


async def _verify(client, cin: str, number: str):
    return await client.post(f"{LANDING}/verifications", json={"cin": cin, "number": number})


async def _sms(runtime, number: str) -> list[str]:
    """The SMS waiting for this number in the notifications outbox, as the SMS gateway would read them."""
    rows = await runtime.pool.fetch(
        "SELECT body FROM notifications.outbox WHERE recipient = $1 ORDER BY id", number
    )
    return [r["body"] for r in rows]


def _code_in(sms: str) -> str:
    return re.search(r"\b([0-9]{6})\b", sms).group(1)


async def _answer(client, challenge: dict, code: str):
    return await client.post(f"{LANDING}/verifications/{challenge['challenge_id']}/code", json={"code": code})


async def _session(runtime, client, client_id: str, line: dict) -> dict[str, str]:
    return await _session_of(runtime, client, await _cin(client, client_id), line["number"])


async def _session_of(runtime, client, cin: str, number: str) -> dict[str, str]:
    asked = await _verify(client, cin, number)
    assert asked.status_code == 202, asked.text
    answered = await _answer(
        client, asked.json(), _code_in((await _sms(runtime, normalize_number(number, "mobile")))[-1])
    )
    assert answered.status_code == 201, answered.text
    return {"Authorization": f"Bearer {answered.json()['token']}"}


def landing_system(**overrides):
    """The system with the notifications outbox left for the test to read (no dispatcher takes the rows)."""
    return billing_system(notifications_sender="none", **overrides)


async def test_the_bootstrap_is_public_and_lists_only_offers_on_sale_by_service():
    async with landing_system() as (_, client):
        cheap, dear = await offer(client, "49.00"), await offer(client, "199.00")
        fiber = await offer(client, "299.00", service="internet")
        retired = await offer(client, "99.00")
        retirement = await client.post(f"/api/v1/offers/{retired}/retirement", headers=ADMIN)
        assert retirement.status_code == 200
        seen = await client.get(
            f"/api/v1/offers/{retired}",
            params={"consistency_token": retirement.json()["position"]},
            headers=ADMIN,
        )
        assert seen.json()["status"] == "retired"
        bootstrap = await client.get(f"{LANDING}/bootstrap")
        assert bootstrap.status_code == 200
        services = {s["service"]: [o["offer_id"] for o in s["offers"]] for s in bootstrap.json()["services"]}
        assert services == {"mobile": [cheap, dear], "internet": [fiber], "landline": []}
        assert [s["needs_contact_phone"] for s in bootstrap.json()["services"]] == [False, True, True]
        dates = (
            bootstrap.json()["today"],
            bootstrap.json()["latest_start_date"],
            bootstrap.json()["commitment_months"],
        )
        assert dates == (OCT_1.isoformat(), "2027-10-01", [0, 12, 24])


async def test_a_code_goes_by_sms_to_a_number_on_file_and_the_answer_never_says_who_is_a_customer():
    async with landing_system() as (runtime, client):
        owner = await customer(client)
        line = await _line(client, owner, await offer(client, "99.00"))
        cin = await _cin(client, owner)
        stranger = await _line(client, await customer(client), await offer(client, "99.00"))
        answers = [
            await _verify(client, c, n)
            for c, n in (
                (cin.lower(), "0" + line["number"][4:]),  # "ab123456", "06...": the one that matches
                (cin, stranger["number"]),  # someone else's line
                ("ZZ999999", line["number"]),  # a CIN not on file
            )
        ]
        assert [a.status_code for a in answers] == [202, 202, 202]
        assert [sorted(a.json()) for a in answers] == [["challenge_id", "expires_at"]] * 3
        expiries = [datetime.fromisoformat(a.json()["expires_at"]) for a in answers]
        assert max(expiries) - min(expiries) < timedelta(
            seconds=5
        )  # 5 minutes from now, for every one of them
        assert len(await _sms(runtime, line["number"])) == 1 and await _sms(runtime, stranger["number"]) == []

        code = _code_in((await _sms(runtime, line["number"]))[0])
        wrong = str((int(code) + 1) % 1_000_000).zfill(6)
        for challenge, attempt in ((answers[1], code), (answers[2], code), (answers[0], wrong)):
            refused = await _answer(client, challenge.json(), attempt)
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "verification_failed"
        session = await _answer(client, answers[0].json(), code)
        assert session.status_code == 201 and session.json()["client_id"] == owner
        # counted by the browser on its own clock: the token's lifetime, whatever the server's date
        assert session.json()["expires_in"] == runtime.settings.landing_token_minutes * 60
        mine = await client.get(
            f"{LANDING}/me/contracts", headers={"Authorization": f"Bearer {session.json()['token']}"}
        )
        assert mine.status_code == 200 and mine.json()["client_id"] == owner
        again = await _answer(client, answers[0].json(), code)  # single use
        assert (
            again.status_code == 401
            and again.json()["error"]["message"] == refused.json()["error"]["message"]
        )

        assert (await _verify(client, cin, "0512345678")).json()["error"][
            "code"
        ] == "invalid_number"  # a landline gets no SMS
        ended = await client.post(
            f"/api/v1/contracts/{line['contract_id']}/termination",
            json={"reason": "moving"},
            headers=OPERATOR,
        )
        await client.get(
            f"/api/v1/contracts/{line['contract_id']}",
            params={"consistency_token": ended.json()["position"]},
            headers=AUDITOR,
        )
        assert (await _verify(client, cin, line["number"])).status_code == 202
        assert len(await _sms(runtime, line["number"])) == 1  # a released number is sent nothing


async def test_a_code_allows_five_tries_and_five_minutes_and_the_contact_phone_on_file_works_too():
    async with landing_system() as (runtime, client):
        registered = await client.post(
            "/api/v1/clients",
            headers=OPERATOR,
            json={
                "cin": "PH123456",
                "full_name": "Hind Lahlou",
                "email": "hind@example.ma",
                "address": "Fès",
                "phone": "06 61 00 00 01",
            },
        )
        await client.get(
            f"/api/v1/clients/{registered.json()['id']}",
            params={"consistency_token": registered.json()["position"]},
            headers=OPERATOR,
        )
        asked = (await _verify(client, "PH123456", "+212661000001")).json()
        code = _code_in((await _sms(runtime, "+212661000001"))[-1])
        wrong = str((int(code) + 1) % 1_000_000).zfill(6)
        for _ in range(5):
            assert (await _answer(client, asked, wrong)).status_code == 401
        assert (await _answer(client, asked, code)).status_code == 401  # the tries are used up

        late = (await _verify(client, "PH123456", "+212661000001")).json()
        late_code = _code_in((await _sms(runtime, "+212661000001"))[-1])
        runtime.clock.set_today(OCT_1 + timedelta(days=1))
        assert (await _answer(client, late, late_code)).status_code == 401  # expired
        runtime.clock.set_today(OCT_1)

        session = await _session_of(runtime, client, "ph 123 456", "0661000001")
        assert (await client.get(f"{LANDING}/me/invoices", headers=session)).status_code == 200


async def test_nothing_about_a_code_is_kept_in_clear_or_in_the_event_store():
    async with landing_system() as (runtime, client):
        owner = await customer(client)
        line = await _line(client, owner, await offer(client, "99.00"))
        before = await _events(runtime)
        asked = (await _verify(client, await _cin(client, owner), line["number"])).json()
        code = _code_in((await _sms(runtime, line["number"]))[0])
        assert await _events(runtime) == before  # asking for a code records no event
        stored = await runtime.pool.fetchrow(
            "SELECT * FROM landing.challenges WHERE challenge_id = $1", uuid.UUID(asked["challenge_id"])
        )
        assert code.encode() not in bytes(stored["code_digest"]) and code not in str(dict(stored))
        assert len(bytes(stored["code_digest"])) == 32
        logged = await runtime.pool.fetchval(
            "SELECT count(*) FROM eventstore.mtf_events WHERE position($1 in convert_from(state, 'UTF8')) > 0",
            code,
        )
        assert logged == 0


async def test_requests_for_codes_wait_longer_each_time_past_the_allowance_per_cin_number_and_address():
    async with landing_system(
        landing_failures_per_cin=3, landing_failures_per_address=5, landing_codes_per_number=3
    ) as (runtime, client):
        owner = await customer(client)
        line = await _line(client, owner, await offer(client, "99.00"))
        cin = await _cin(client, owner)
        for _ in range(3):
            assert (
                await _verify(client, cin, "0600000000")
            ).status_code == 202  # a stranger guessing numbers
        blocked = await _verify(client, cin, line["number"])  # even the right number waits
        assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "too_many_attempts"
        assert 1 <= int(blocked.headers["Retry-After"]) <= 30  # a short wait, not a lock of the CIN

        other = await customer(client)
        other_line = await _line(client, other, await offer(client, "99.00"))
        assert (await _verify(client, "QQ123456", other_line["number"])).status_code == 202
        assert (
            await _verify(client, "QQ123457", other_line["number"])
        ).status_code == 202  # the address's 5th
        by_address = await _verify(client, await _cin(client, other), other_line["number"])
        assert by_address.status_code == 429

        runtime.clock.set_today(
            OCT_1 + timedelta(days=1)
        )  # the window has passed: the old requests no longer count
        session = await _session(runtime, client, owner, line)
        assert session["Authorization"].startswith("Bearer ")
        assert (
            await _attempts(runtime, "cin:") == 0 and await _attempts(runtime, "number:") == 0
        )  # the customer's counts are cleared
        assert await _attempts(runtime, "address:") == 1


async def _attempts(runtime, kind: str = "") -> int:
    return await runtime.pool.fetchval(
        "SELECT count(*) FROM landing.attempts WHERE subject LIKE $1", f"{kind}%"
    )


async def test_a_burst_of_requests_in_flight_together_cannot_pass_the_allowance():
    async with landing_system(
        landing_failures_per_cin=3, landing_failures_per_address=100, landing_codes_per_number=100
    ) as (runtime, client):
        owner = await customer(client)
        await _line(client, owner, await offer(client, "99.00"))
        cin = await _cin(client, owner)
        answers = await asyncio.gather(*(_verify(client, cin, f"06000000{n:02d}") for n in range(12)))
        assert sorted(a.status_code for a in answers) == [202] * 3 + [429] * 9
        assert await _attempts(runtime, "cin:") == 3


async def test_a_visitor_sees_only_their_active_contracts_with_the_plan_changes_open_to_each():
    async with landing_system() as (runtime, client):
        owner = await customer(client)
        low, mid, high = (
            await offer(client, "49.00"),
            await offer(client, "99.00"),
            await offer(client, "199.00"),
        )
        fiber = await offer(client, "299.00", service="internet")
        mobile = await _line(client, owner, mid, commitment=12)
        internet = await _line(client, owner, fiber)
        await _line(client, await customer(client), mid)  # someone else's
        session = await _session(runtime, client, owner, mobile)

        mine = (await client.get(f"{LANDING}/me/contracts", headers=session)).json()
        assert mine["client_id"] == owner
        assert [(s["service"], [c["contract_id"] for c in s["contracts"]]) for s in mine["services"]] == [
            ("mobile", [mobile["contract_id"]]),
            ("internet", [internet["contract_id"]]),
        ]
        (on_mobile,) = mine["services"][0]["contracts"]
        assert (
            on_mobile["contract_number"] == mobile["reference"]
        )  # the random reference printed on the contract
        options = {
            o["offer"]["offer_id"]: (o["change"], o["earliest_effective_date"])
            for o in on_mobile["plan_options"]
        }
        assert options == {low: ("downgrade", "2027-10-01"), high: ("upgrade", OCT_1.isoformat())}
        assert mine["services"][1]["contracts"][0]["plan_options"] == []  # the only internet offer is its own

        runtime.clock.set_today(OCT_1 + timedelta(days=1))  # tokens last 15 minutes
        expired = await client.get(f"{LANDING}/me/contracts", headers=session)
        assert expired.status_code == 401 and expired.json()["error"]["code"] == "visitor_token_invalid"
        for bad in (
            {},
            {"Authorization": "Bearer nonsense"},
            {"Authorization": session["Authorization"] + "x"},
        ):
            response = await client.get(f"{LANDING}/me/contracts", headers=bad)
            assert response.status_code == 401 and response.json()["error"]["code"] in (
                "verification_required",
                "visitor_token_invalid",
            )


async def test_a_visitor_changes_plan_once_per_idempotency_key_under_the_operator_rules():
    async with landing_system() as (runtime, client):
        owner, (low, mid, high), line, session = await _committed_visitor(runtime, client)
        path = f"{LANDING}/me/contracts/{line['contract_id']}/plan-changes"
        upgrade = {"offer_id": high, "effective_date": "2026-10-15"}

        missing_key = await client.post(path, json=upgrade, headers=session)
        assert missing_key.status_code == 422
        first = await client.post(path, json=upgrade, headers={**session, "Idempotency-Key": "web-1"})
        assert first.status_code == 200 and first.json()["decision"] == "plan_change"
        events = await _events(runtime)
        again = await client.post(path, json=upgrade, headers={**session, "Idempotency-Key": "web-1"})
        assert again.json() == first.json() and await _events(runtime) == events
        reused = await client.post(
            path,
            json={**upgrade, "effective_date": "2026-10-20"},
            headers={**session, "Idempotency-Key": "web-1"},
        )
        assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"

        downgrade = await client.post(
            path,
            json={"offer_id": low, "effective_date": "2026-11-01"},
            headers={**session, "Idempotency-Key": "web-2"},
        )
        assert (
            downgrade.status_code == 409
            and downgrade.json()["error"]["code"] == "downgrade_blocked_by_commitment"
        )
        past = await client.post(
            path,
            json={"offer_id": high, "effective_date": "2026-09-30"},
            headers={**session, "Idempotency-Key": "web-3"},
        )
        assert past.status_code == 422 and past.json()["error"]["code"] == "effective_date_in_past"
        ahead = await client.post(
            path,
            json={"offer_id": high, "effective_date": "2027-10-02"},
            headers={**session, "Idempotency-Key": "web-5"},
        )
        assert ahead.status_code == 422 and ahead.json()["error"]["details"] == {
            "field": "effective_date",
            "latest": "2027-10-01",
        }
        someone_else = await _line(client, await customer(client), mid)
        foreign = await client.post(
            f"{LANDING}/me/contracts/{someone_else['contract_id']}/plan-changes",
            json=upgrade,
            headers={**session, "Idempotency-Key": "web-4"},
        )
        assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "contract_not_found"

        trail = await client.get(
            f"/api/v1/contracts/{line['contract_id']}/audit-trail",
            params={"consistency_token": first.json()["position"]},
            headers=AUDITOR,
        )
        changed = [e for e in trail.json()["items"] if e["event_type"] == "ContractPlanChanged"]
        assert [(e["role"], e["actor"], e["effective_date"]) for e in changed] == [
            ("self-service", f"client:{owner}", "2026-10-15")
        ]


async def test_a_visitor_lists_and_downloads_only_their_own_invoices():
    async with landing_system() as (runtime, client):
        owner, other = await customer(client, "Salma Idrissi"), await customer(client, "Omar Alaoui")
        mobile = await offer(client, "99.00")
        line = await _line(client, owner, mobile)
        await _line(client, other, mobile)
        _, invoices = await billed(runtime, client)
        session = await _session(runtime, client, owner, line)

        mine = (await client.get(f"{LANDING}/me/invoices", headers=session)).json()
        assert [i["client_id"] for i in mine["items"]] == [owner] and mine["page"]["total"] == 1
        pdf = await client.get(f"{LANDING}/me/invoices/{mine['items'][0]['invoice_id']}/pdf", headers=session)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        (theirs,) = [i for i in invoices if i["client_id"] == other]
        refused = await client.get(f"{LANDING}/me/invoices/{theirs['invoice_id']}/pdf", headers=session)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "invoice_not_found"


NEWCOMER = {
    "cin": "kl 246802",
    "full_name": "Nadia Tazi",
    "email": "nadia@example.ma",
    "address": "5 Rue Ibn Sina, Fes",
}


async def _submit(client, body: dict, key: str, session: dict | None = None):
    return await client.post(
        f"{LANDING}/subscriptions", json=body, headers={"Idempotency-Key": key, **(session or {})}
    )


async def test_a_draft_is_saved_restored_updated_and_discarded_by_its_token():
    async with landing_system() as (runtime, client):
        created = await client.post(f"{LANDING}/drafts", json={"step": 1, "service": "mobile"})
        assert created.status_code == 201
        token = {"X-Draft-Token": created.json()["token"]}
        restored = await client.get(f"{LANDING}/draft", headers=token)
        assert restored.status_code == 200 and restored.json()["draft"]["service"] == "mobile"
        later = {
            "step": 3,
            "service": "mobile",
            "cin": "kl 246802",
            "full_name": "Nadia Tazi",
            "number_choice": "new",
        }
        assert (await client.put(f"{LANDING}/draft", json=later, headers=token)).status_code == 200
        again = (await client.get(f"{LANDING}/draft", headers=token)).json()
        assert (
            again["draft"]["step"] == 3
            and again["draft"]["full_name"] == "Nadia Tazi"
            and again["draft"]["email"] is None
        )

        stranger = {"X-Draft-Token": "x" * 43}
        for response in (
            await client.get(f"{LANDING}/draft", headers=stranger),
            await client.put(f"{LANDING}/draft", json=later, headers=stranger),
        ):
            assert response.status_code == 404 and response.json()["error"]["code"] == "draft_not_found"
        assert (await client.post(f"{LANDING}/drafts", json={"step": 9})).status_code == 422
        assert (await client.get(f"{LANDING}/draft")).status_code == 422  # no token
        assert (await client.delete(f"{LANDING}/draft", headers=token)).status_code == 204
        assert (await client.get(f"{LANDING}/draft", headers=token)).status_code == 404

        kept = {"X-Draft-Token": (await client.post(f"{LANDING}/drafts", json={"step": 2})).json()["token"]}
        runtime.clock.set_today(OCT_1 + timedelta(days=29))
        assert (
            await client.put(f"{LANDING}/draft", json={"step": 3}, headers=kept)
        ).status_code == 200  # kept 30 days more
        runtime.clock.set_today(OCT_1 + timedelta(days=29 + 31))
        assert (await client.get(f"{LANDING}/draft", headers=kept)).status_code == 404


def _without(body: dict, keys: tuple[str, ...]) -> dict:
    return {k: v for k, v in body.items() if k not in keys}


async def test_the_confirmation_page_gets_the_contract_pdf_with_a_token_that_opens_nothing_else():
    async with landing_system() as (runtime, client):
        mobile = await offer(client, "99.00")
        accepted = (await _submit(client, {**NEWCOMER, "offer_id": mobile}, "web-pdf-1")).json()
        document = {"Authorization": f"Bearer {accepted['document_token']}"}
        pdf = await client.get(f"{LANDING}/contracts/{accepted['id']}/document", headers=document)
        assert (
            pdf.status_code == 200
            and pdf.headers["content-type"] == "application/pdf"
            and pdf.content.startswith(b"%PDF-")
        )
        assert pdf.headers["cache-control"] == "no-store"

        assert (
            await client.get(f"{LANDING}/me/contracts", headers=document)
        ).status_code == 401  # not a visitor token
        someone = await _line(client, await customer(client), mobile)
        other = await client.get(f"{LANDING}/contracts/{someone['contract_id']}/document", headers=document)
        assert other.status_code == 404
        assert (await client.get(f"{LANDING}/contracts/{accepted['id']}/document")).status_code == 401

        seen = {"consistency_token": accepted["position"]}
        await client.get(f"/api/v1/contracts/{accepted['id']}", params=seen, headers=AUDITOR)
        await client.get(f"/api/v1/clients/{accepted['client_id']}", params=seen, headers=AUDITOR)
        visitor = await _session_of(
            runtime, client, NEWCOMER["cin"], accepted["number"]
        )  # the owner, verified later
        assert (
            await client.get(f"{LANDING}/contracts/{accepted['id']}/document", headers=visitor)
        ).content == pdf.content
        assert (
            await client.get(f"{LANDING}/contracts/{someone['contract_id']}/document", headers=visitor)
        ).status_code == 404

        runtime.clock.set_today(OCT_1 + timedelta(days=1))
        expired = await client.get(f"{LANDING}/contracts/{accepted['id']}/document", headers=document)
        assert expired.status_code == 401 and expired.json()["error"]["code"] == "visitor_token_invalid"


async def test_a_newcomer_subscribes_once_per_idempotency_key_and_shows_up_in_the_operator_views():
    async with landing_system() as (runtime, client):
        mobile = await offer(client, "99.00")
        body = {**NEWCOMER, "offer_id": mobile, "commitment_months": 12}
        preview = await client.post(f"{LANDING}/subscriptions/preview", json=body)
        assert preview.status_code == 200
        assert (preview.json()["cin"], preview.json()["monthly_fee"], preview.json()["number_status"]) == (
            "KL246802",
            "99.00",
            "allocated_on_submit",
        )

        first = await _submit(client, body, "web-new-1")
        assert first.status_code == 201 and first.json()["decision"] == "new_line"
        assert first.json()["number"].startswith("+2126") or first.json()["number"].startswith("+2127")
        events = await _events(runtime)
        replay = await _submit(client, body, "web-new-1")  # the CIN is on file now: the key alone answers
        tokens = ("document_token", "document_expires_at")  # a fresh one for each answer
        assert replay.status_code == 201 and _without(replay.json(), tokens) == _without(first.json(), tokens)
        assert await _events(runtime) == events
        changed = await _submit(client, {**body, "commitment_months": 24}, "web-new-1")
        assert changed.status_code == 409 and changed.json()["error"]["code"] == "idempotency_key_reused"

        view = await client.get(
            f"/api/v1/contracts/{first.json()['id']}",
            params={"consistency_token": first.json()["position"]},
            headers=AUDITOR,
        )
        assert (
            view.json()["client_id"] == first.json()["client_id"]
            and view.json()["number"] == first.json()["number"]
        )
        owner = (await client.get(f"/api/v1/clients/{first.json()['client_id']}", headers=OPERATOR)).json()
        assert (owner["cin"], owner["full_name"]) == ("KL246802", "Nadia Tazi")


async def test_a_known_cin_needs_its_token_then_a_known_number_changes_plan_and_a_new_one_adds_a_line():
    async with landing_system() as (runtime, client):
        mid, high = await offer(client, "99.00"), await offer(client, "199.00")
        first = await _submit(client, {**NEWCOMER, "offer_id": mid}, "web-a")
        number = first.json()["number"]
        anonymous = await _submit(client, {**NEWCOMER, "offer_id": high, "number": number}, "web-b")
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "verification_required"

        await client.get(
            f"/api/v1/contracts/{first.json()['id']}",
            params={"consistency_token": first.json()["position"]},
            headers=AUDITOR,
        )
        session = await _session_of(runtime, client, NEWCOMER["cin"], number)
        upgrade = await _submit(client, {**NEWCOMER, "offer_id": high, "number": number}, "web-c", session)
        assert (
            upgrade.status_code == 200
            and upgrade.json()["decision"] == "plan_change"
            and upgrade.json()["id"] == first.json()["id"]
        )
        second_line = await _submit(
            client, {**NEWCOMER, "offer_id": mid, "number": "0661234567"}, "web-d", session
        )
        assert second_line.status_code == 201 and second_line.json()["decision"] == "new_line"
        assert (
            second_line.json()["number"] == "+212661234567"
            and second_line.json()["client_id"] == first.json()["client_id"]
        )

        kept = await client.post(
            f"{LANDING}/subscriptions/preview", json={**NEWCOMER, "offer_id": mid, "number": "0661234567"}
        )
        assert kept.json()["number_status"] == "in_use"


async def test_guessing_submissions_on_a_cin_on_file_are_limited_like_verifications():
    async with landing_system(landing_failures_per_cin=2) as (_, client):
        mid = await offer(client, "99.00")
        await _submit(client, {**NEWCOMER, "offer_id": mid}, "web-1")
        for attempt in range(2):
            assert (
                await _submit(client, {**NEWCOMER, "offer_id": mid}, f"guess-{attempt}")
            ).status_code == 401
        assert (await _submit(client, {**NEWCOMER, "offer_id": mid}, "guess-3")).status_code == 429


async def test_subscription_rules_are_checked_before_anything_is_recorded():
    async with landing_system(landing_submissions_per_address=20) as (runtime, client):
        mobile, fiber = await offer(client, "99.00"), await offer(client, "299.00", service="internet")
        events = await _events(runtime)
        cases = [
            ({**NEWCOMER, "offer_id": fiber}, 422, "contact_phone_required"),
            (
                {**NEWCOMER, "offer_id": fiber, "phone": "+212 522 000000", "number": "0612345678"},
                422,
                "not_a_landline_number",
            ),
            ({**NEWCOMER, "offer_id": str(uuid.uuid4())}, 404, "offer_not_found"),
            ({**NEWCOMER, "cin": "123", "offer_id": mobile}, 422, "invalid_cin"),
            ({**NEWCOMER, "offer_id": mobile, "start_date": "2026-09-30"}, 422, "start_date_in_past"),
            ({**NEWCOMER, "offer_id": mobile, "start_date": "2027-10-02"}, 422, "start_date_too_far_ahead"),
            ({**NEWCOMER, "offer_id": mobile, "email": "not-an-email"}, 422, "validation_failed"),
        ]
        for body, status, code in cases:
            for response in (
                await client.post(f"{LANDING}/subscriptions/preview", json=body),
                await _submit(client, body, f"k-{code}"),
            ):
                assert (response.status_code, response.json()["error"]["code"]) == (status, code), (
                    code,
                    response.text,
                )
        assert await _events(runtime) == events

        # A CIN on file gets the same refusal for what does not depend on it: no free probe of who is a customer.
        assert (await _submit(client, {**NEWCOMER, "offer_id": mobile}, "k-first")).status_code == 201
        someone = await _line(client, await customer(client), mobile)
        for n, cin in enumerate((NEWCOMER["cin"], "YY654321")):
            dated = await _submit(
                client,
                {**NEWCOMER, "cin": cin, "offer_id": mobile, "start_date": "2026-09-30"},
                f"k-past-{n}",
            )
            assert (dated.status_code, dated.json()["error"]["code"]) == (422, "start_date_in_past"), (
                dated.text
            )
            theirs = await _submit(
                client,
                {**NEWCOMER, "cin": cin, "offer_id": mobile, "number": someone["number"]},
                f"k-in-use-{n}",
            )
            assert (theirs.status_code, theirs.json()["error"]["code"]) == (401, "verification_required"), (
                theirs.text
            )


async def test_a_plan_change_preview_shows_before_and_after_and_refuses_what_the_change_would():
    async with landing_system() as (runtime, client):
        owner, (low, mid, high), line, session = await _committed_visitor(runtime, client)
        path = f"{LANDING}/me/contracts/{line['contract_id']}/plan-changes/preview"
        events = await _events(runtime)
        shown = await client.post(
            path, json={"offer_id": high, "effective_date": "2026-10-15"}, headers=session
        )
        assert shown.status_code == 200
        assert (
            shown.json()["change"],
            shown.json()["before"]["monthly_fee"],
            shown.json()["after"]["monthly_fee"],
        ) == ("upgrade", "99.00", "199.00")
        assert shown.json()["after"]["offer_id"] == high and shown.json()["after_components"] == [
            {"kind": "data", "gb": "20"}
        ]
        blocked = await client.post(
            path, json={"offer_id": low, "effective_date": "2026-10-15"}, headers=session
        )
        assert (
            blocked.status_code == 409
            and blocked.json()["error"]["code"] == "downgrade_blocked_by_commitment"
        )
        later = await client.post(
            path, json={"offer_id": low, "effective_date": "2027-10-01"}, headers=session
        )
        assert later.status_code == 200 and later.json()["change"] == "downgrade"
        assert await _events(runtime) == events


async def test_one_address_may_submit_only_so_many_subscriptions_in_a_window():
    async with landing_system(landing_submissions_per_address=2) as (runtime, client):
        mobile = await offer(client, "99.00")
        for n in range(2):
            accepted = await _submit(
                client, {**NEWCOMER, "cin": f"KL10000{n}", "offer_id": mobile}, f"web-{n}"
            )
            assert accepted.status_code == 201
        refused = await _submit(client, {**NEWCOMER, "cin": "KL100009", "offer_id": mobile}, "web-9")
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_submissions"
        assert int(refused.headers["Retry-After"]) >= 1
        runtime.clock.set_today(OCT_1 + timedelta(days=1))
        assert (
            await _submit(client, {**NEWCOMER, "cin": "KL100009", "offer_id": mobile}, "web-9")
        ).status_code == 201


async def test_a_burst_of_submissions_in_flight_together_cannot_pass_the_address_limit():
    async with landing_system(landing_submissions_per_address=2) as (runtime, client):
        mobile = await offer(client, "99.00")
        answers = await asyncio.gather(
            *(
                _submit(client, {**NEWCOMER, "cin": f"KL20000{n}", "offer_id": mobile}, f"burst-{n}")
                for n in range(6)
            )
        )
        assert sorted(a.status_code for a in answers) == [201, 201, 429, 429, 429, 429]
        assert await _attempts(runtime, "submission:") == 2
