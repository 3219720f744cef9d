"""A number shown to a self-service visitor before they confirm is held for their draft, on the real database: the
line gets that number, nobody else takes it while the hold lasts, and a hold that has passed is refused if lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.markers import NumberReservation
from tests.billing_flows import OCT_1, offer
from tests.integration.test_self_service_landing import LANDING, NEWCOMER, _events, _submit, landing_system
from tests.support import AUDITOR, OPERATOR

PHONE = "0612345678"


async def _draft(client, service: str = "mobile") -> dict[str, str]:
    created = await client.post(f"{LANDING}/drafts", json={"step": 4, "service": service})
    assert created.status_code == 201, created.text
    return {"X-Draft-Token": created.json()["token"]}


async def _hold(client, draft: dict[str, str], service: str = "mobile"):
    return await client.post(f"{LANDING}/draft/number", json={"service": service}, headers=draft)


def _reservation(runtime, number: str) -> NumberReservation:
    return runtime.store.load(NumberReservation, NumberReservation.id_for(number), what="number")


async def test_the_number_shown_for_a_draft_is_the_number_the_line_gets():
    async with landing_system() as (runtime, client):
        internet = await offer(client, "299.00", service="internet")
        draft = await _draft(client, "internet")
        held = await _hold(client, draft, "internet")
        assert held.status_code == 200, held.text
        number = held.json()["number"]
        assert number.startswith("+2125") and held.json()["service"] == "internet"
        until = datetime.fromisoformat(held.json()["held_until"])
        assert timedelta(minutes=29) < until - runtime.clock.now() <= timedelta(minutes=30)

        events = await _events(runtime)
        again = await _hold(client, draft, "internet")  # the site asks again on each visit of the step
        assert again.json() == held.json() and await _events(runtime) == events

        body = {**NEWCOMER, "offer_id": internet, "phone": PHONE}
        preview = await client.post(f"{LANDING}/subscriptions/preview", json=body, headers=draft)
        assert (preview.json()["number"], preview.json()["number_status"]) == (number, "held")

        accepted = await client.post(
            f"{LANDING}/subscriptions", json=body, headers={"Idempotency-Key": "hold-1", **draft}
        )
        assert accepted.status_code == 201 and accepted.json()["number"] == number
        view = await client.get(
            f"/api/v1/contracts/{accepted.json()['id']}",
            params={"consistency_token": accepted.json()["position"]},
            headers=AUDITOR,
        )
        assert view.json()["number"] == number
        reservation = _reservation(runtime, number)
        assert reservation.subscriber_id is not None and reservation.held_for is None
        assert (await client.get(f"{LANDING}/draft", headers=draft)).status_code == 404  # done with, deleted
        resent = await client.post(
            f"{LANDING}/subscriptions", json=body, headers={"Idempotency-Key": "hold-1", **draft}
        )
        assert (
            resent.status_code == 201 and resent.json()["id"] == accepted.json()["id"]
        )  # a retry still gets its answer


async def test_a_visitor_who_keeps_their_number_frees_the_one_held_for_them():
    async with landing_system() as (runtime, client):
        mobile = await offer(client, "99.00")
        draft = await _draft(client)
        held = (await _hold(client, draft)).json()["number"]
        body = {**NEWCOMER, "offer_id": mobile, "number": PHONE}
        accepted = await client.post(
            f"{LANDING}/subscriptions", json=body, headers={"Idempotency-Key": "hold-6", **draft}
        )
        assert accepted.status_code == 201 and accepted.json()["number"] == "+212612345678"
        assert _reservation(runtime, held).held_for is None


async def test_nobody_else_takes_a_held_number_while_the_hold_lasts():
    async with landing_system() as (runtime, client):
        mobile = await offer(client, "99.00")
        number = (await _hold(client, await _draft(client))).json()["number"]
        someone = (
            await client.post("/api/v1/clients", json={**NEWCOMER, "cin": "ZZ998877"}, headers=OPERATOR)
        ).json()["id"]
        events = await _events(runtime)
        by_operator = await client.post(
            "/api/v1/contracts",
            json={"client_id": someone, "offer_id": mobile, "number": number, "intent": "new_line"},
            headers=OPERATOR,
        )
        assert by_operator.status_code == 409 and by_operator.json()["error"]["code"] == "number_taken"
        by_visitor = await _submit(client, {**NEWCOMER, "offer_id": mobile, "number": number}, "hold-2")
        assert by_visitor.status_code == 409 and by_visitor.json()["error"]["code"] == "number_taken"
        assert await _events(runtime) == events

        runtime.clock.set_today(
            OCT_1 + timedelta(days=2)
        )  # the hold has passed: the number is free for whoever asks for it
        taken = await client.post(
            "/api/v1/contracts",
            json={"client_id": someone, "offer_id": mobile, "number": number, "intent": "new_line"},
            headers=OPERATOR,
        )
        assert taken.status_code == 201, taken.text


async def test_a_hold_that_has_passed_is_kept_if_nobody_took_the_number_and_refused_if_someone_did():
    async with landing_system() as (runtime, client):
        mobile = await offer(client, "99.00")
        kept, lost = await _draft(client), await _draft(client)
        kept_number, lost_number = (
            (await _hold(client, kept)).json()["number"],
            (await _hold(client, lost)).json()["number"],
        )
        runtime.clock.set_today(OCT_1 + timedelta(days=2))

        renewed = await _hold(client, kept)
        assert renewed.json()["number"] == kept_number
        assert datetime.fromisoformat(renewed.json()["held_until"]) > runtime.clock.now() + timedelta(
            minutes=29
        )

        someone = (
            await client.post("/api/v1/clients", json={**NEWCOMER, "cin": "ZZ998877"}, headers=OPERATOR)
        ).json()["id"]
        took = await client.post(
            "/api/v1/contracts",
            json={"client_id": someone, "offer_id": mobile, "number": lost_number, "intent": "new_line"},
            headers=OPERATOR,
        )
        assert took.status_code == 201, took.text
        body = {**NEWCOMER, "offer_id": mobile}
        events = await _events(runtime)
        for refused in (
            await client.post(f"{LANDING}/subscriptions/preview", json=body, headers=lost),
            await client.post(
                f"{LANDING}/subscriptions", json=body, headers={"Idempotency-Key": "hold-3", **lost}
            ),
        ):
            assert refused.status_code == 409 and refused.json()["error"]["code"] == "number_hold_lost", (
                refused.text
            )
            assert refused.json()["error"]["details"]["field"] == "number"
        assert (
            await _events(runtime) == events
            and (await client.get(f"{LANDING}/draft", headers=lost)).status_code == 200
        )

        fresh = await _hold(
            client, lost
        )  # what the site does on number_hold_lost: show the visitor a new number
        assert fresh.json()["number"] not in (lost_number, kept_number)
        accepted = await client.post(
            f"{LANDING}/subscriptions", json=body, headers={"Idempotency-Key": "hold-4", **lost}
        )
        assert accepted.status_code == 201 and accepted.json()["number"] == fresh.json()["number"]


async def test_another_service_or_a_discarded_draft_frees_the_number_held():
    async with landing_system() as (runtime, client):
        draft = await _draft(client)
        mobile_number = (await _hold(client, draft)).json()["number"]
        home = await _hold(client, draft, "landline")
        assert home.json()["number"].startswith("+2125")
        assert _reservation(runtime, mobile_number).held_for is None
        assert _reservation(runtime, home.json()["number"]).held_for is not None

        assert (await client.delete(f"{LANDING}/draft", headers=draft)).status_code == 204
        assert _reservation(runtime, home.json()["number"]).held_for is None


async def test_a_hold_needs_a_live_draft_and_one_address_may_ask_only_so_often():
    """A submission naming a draft that is gone is refused rather than given a number the visitor never saw."""
    async with landing_system(landing_number_holds_per_address=3) as (runtime, client):
        mobile = await offer(client, "99.00")
        stranger = {"X-Draft-Token": "x" * 43}
        missing = await _hold(client, stranger)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "draft_not_found"
        events = await _events(runtime)
        submitted = await client.post(
            f"{LANDING}/subscriptions",
            json={**NEWCOMER, "offer_id": mobile},
            headers={"Idempotency-Key": "hold-5", **stranger},
        )
        assert (
            submitted.status_code == 409 and submitted.json()["error"]["code"] == "number_hold_lost"
        )  # what was shown is gone
        assert await _events(runtime) == events
        assert (await _hold(client, await _draft(client), "fax")).status_code == 422

        draft = await _draft(client)
        assert [(await _hold(client, draft)).status_code for _ in range(2)] == [
            200,
            200,
        ]  # the 404 above counted too
        refused = await _hold(client, draft)
        assert (
            refused.status_code == 429
            and refused.json()["error"]["code"] == "too_many_number_holds"
            and int(refused.headers["Retry-After"]) > 0
        )
