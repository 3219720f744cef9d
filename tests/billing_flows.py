"""HTTP steps for billing tests: a pinned clock that moves, offers, contracts and finished runs."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import date

import httpx

from tests.flows import random_cin
from tests.support import ADMIN, AUDITOR, OPERATOR, fresh_settings, serving

OCT_1 = date(2026, 10, 1)
BILLING_DAY = date(2026, 11, 2)


@asynccontextmanager
async def billing_system(kafka: bool = False, **overrides):
    """The whole system in this process, on a clock pinned to 2026-10-01 that tests move forward."""
    async with serving(fresh_settings(kafka=kafka, fixed_today=OCT_1, **overrides)) as system:
        yield system


async def offer(
    client: httpx.AsyncClient,
    fee: str,
    activation: str = "0.00",
    service: str = "mobile",
    name: str | None = None,
) -> str:
    components = {
        "mobile": [{"kind": "data", "gb": 20}],
        "internet": [{"kind": "fiber", "mbps": 100}, {"kind": "landline"}],
        "landline": [{"kind": "national", "hours": 10}],
    }[service]
    body = {
        "name": name or f"{service} {fee}",
        "service": service,
        "family": "std",
        "monthly_fee": fee,
        "activation_fee": activation,
        "components": components,
    }
    response = await client.post("/api/v1/offers", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def customer(client: httpx.AsyncClient, name: str = "Amina Benali") -> str:
    body = {
        "cin": random_cin(),
        "full_name": name,
        "email": "amina@example.ma",
        "address": "12 Av. Hassan II, Rabat",
    }
    response = await client.post("/api/v1/clients", json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def contract(
    client: httpx.AsyncClient, client_id: str, offer_id: str, commitment: int = 0, new_line: bool = False
) -> str:
    body = {"client_id": client_id, "offer_id": offer_id, "commitment_months": commitment}
    if new_line:
        body["intent"] = "new_line"
    response = await client.post("/api/v1/contracts", json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def act(client: httpx.AsyncClient, path: str, body: dict, status: int = 200) -> dict:
    response = await client.post(path, json=body, headers=OPERATOR)
    assert response.status_code == status, response.text
    return response.json()


async def bill(client: httpx.AsyncClient, period: str = "2026-10", expect: int = 202) -> dict:
    response = await client.post("/api/v1/billing-runs", json={"period": period}, headers=OPERATOR)
    assert response.status_code == expect, response.text
    return response.json()


async def finished_run(client: httpx.AsyncClient, run_id: str, timeout: float = 30.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await client.get(f"/api/v1/billing-runs/{run_id}", headers=AUDITOR)
        if response.status_code == 200 and response.json()["status"] == "completed":
            return response.json()
        assert asyncio.get_running_loop().time() < deadline, f"run not completed: {response.text}"
        await asyncio.sleep(0.05)


async def invoices_of(http: httpx.AsyncClient, **filters) -> list[dict]:
    response = await http.get("/api/v1/invoices", params={"limit": 500, **filters}, headers=AUDITOR)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def billed(
    runtime, client: httpx.AsyncClient, period: str = "2026-10", on: date = BILLING_DAY
) -> tuple[dict, list[dict]]:
    """Moves the clock to `on`, bills the period to completion, and returns the run and its invoices."""
    runtime.clock.set_today(on)
    started = await bill(client, period)
    run = await finished_run(client, started["id"])
    await _caught_up(client, run)
    return run, await invoices_of(client, run=run["run_id"])


async def _caught_up(client: httpx.AsyncClient, run: dict) -> None:
    for _ in range(400):
        if len(await invoices_of(client, run=run["run_id"])) == run["invoices_issued"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("invoice read model did not catch up")
