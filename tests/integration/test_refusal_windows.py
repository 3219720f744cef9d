"""Refused calls do not fill the log: one audit entry per caller, call and window, with the number of
repeats; past the limit a caller is answered 429 until the window ends. Real PostgreSQL."""

from __future__ import annotations

from tests.support import AUDITOR, INTEGRATOR, eventually, fresh_settings, serving

OFFER_BODY = {
    "name": "Mobile 20 Go",
    "service": "mobile",
    "family": "4g",
    "monthly_fee": "99.00",
    "components": [{"kind": "data", "gb": 20}],
}


async def test_repeated_refusals_are_one_entry_and_past_the_limit_the_caller_waits():
    settings = fresh_settings(kafka=False, refusal_window_s=1, refusal_limit=5)
    async with serving(settings) as (runtime, client):
        head = runtime.store.head()
        answers = [await client.post("/api/v1/offers", json=OFFER_BODY, headers=INTEGRATOR) for _ in range(7)]
        assert [a.status_code for a in answers] == [403] * 5 + [429] * 2
        assert answers[-1].json()["error"]["code"] == "too_many_refusals"
        assert 1 <= int(answers[-1].headers["retry-after"]) <= 2
        assert runtime.store.head() == head + 1  # the first refusal only, so far

        async def folded() -> list:
            listed = await client.get("/api/v1/access-refusals", headers=AUDITOR)
            items = listed.json()["items"]
            return items if items and items[0]["repeats"] else []

        (entry,) = await eventually(folded, timeout=10)
        assert (entry["method"], entry["path"], entry["repeats"]) == ("POST", "/api/v1/offers", 6)
        assert entry["actor"] == "partner:test-crm" and entry["role"] == "integrator"
        assert runtime.store.head() == head + 2  # and one more entry for all the repeats
        again = await client.post("/api/v1/offers", json=OFFER_BODY, headers=INTEGRATOR)
        assert again.status_code == 403  # a new window
