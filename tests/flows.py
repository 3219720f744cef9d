"""Reusable HTTP steps: the calls a front end makes."""

from __future__ import annotations

import uuid

import httpx

from tests.support import ADMIN, OPERATOR


def random_cin() -> str:
    return "AB" + str(uuid.uuid4().int % 900000 + 100000)


async def register_client(client: httpx.AsyncClient, cin: str | None = None, headers=OPERATOR) -> dict:
    body = {
        "cin": cin or random_cin(),
        "full_name": "Amina Benali",
        "email": "amina@example.ma",
        "address": "12 Av. Hassan II, Rabat",
    }
    response = await client.post("/api/v1/clients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def create_offer(client: httpx.AsyncClient, monthly_fee: str = "99.00") -> dict:
    body = {
        "name": "Mobile 20 Go",
        "service": "mobile",
        "family": "4g",
        "monthly_fee": monthly_fee,
        "activation_fee": "50.00",
        "components": [{"kind": "data", "gb": 20}],
    }
    response = await client.post("/api/v1/offers", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


async def provision(
    client: httpx.AsyncClient,
    client_id: str,
    offer_id: str,
    correlation_id: str | None = None,
    intent: str | None = None,
) -> dict:
    headers = dict(OPERATOR)
    if correlation_id:
        headers["X-Correlation-ID"] = correlation_id
    body = {"client_id": client_id, "offer_id": offer_id, "commitment_months": 12}
    if intent:
        body["intent"] = intent
    response = await client.post("/api/v1/contracts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["decision"] == "new_line"
    return response.json()


async def new_contract(client: httpx.AsyncClient, correlation_id: str | None = None) -> dict:
    customer = await register_client(client)
    offer = await create_offer(client)
    return await provision(client, customer["id"], offer["id"], correlation_id)
