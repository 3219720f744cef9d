"""Bad input gets a 4xx in the envelope and appends nothing."""

from __future__ import annotations

import uuid

import pytest

from tests.flows import create_offer, register_client
from tests.support import ADMIN, OPERATOR

OFFER = {
    "name": "X",
    "family": "4g",
    "service": "mobile",
    "monthly_fee": "10",
    "components": [{"kind": "data", "gb": 5}],
}
VALID_CLIENT = {
    "cin": "AB123456",
    "full_name": "Amina Benali",
    "email": "amina@example.ma",
    "address": "Rabat",
}

CASES = [
    ("missing field", "/api/v1/clients", {"cin": "AB123456"}, 422, "validation_failed"),
    (
        "wrong type",
        "/api/v1/offers",
        {"name": "X", "family": "4g", "service": "mobile", "monthly_fee": {"a": 1}, "components": []},
        422,
        "validation_failed",
    ),
    ("unknown field", "/api/v1/clients", {**VALID_CLIENT, "vip": True}, 422, "validation_failed"),
    ("bad enum", "/api/v1/offers", {**OFFER, "service": "tv"}, 422, "validation_failed"),
    ("float cents", "/api/v1/offers", {**OFFER, "monthly_fee": "10.005"}, 422, "validation_failed"),
    ("rule: fee", "/api/v1/offers", {**OFFER, "monthly_fee": "0"}, 422, "monthly_fee_not_positive"),
    (
        "rule: component",
        "/api/v1/offers",
        {**OFFER, "components": [{"kind": "fiber", "mbps": 10}]},
        422,
        "component_not_allowed_for_service",
    ),
    ("rule: cin", "/api/v1/clients", {**VALID_CLIENT, "cin": "123"}, 422, "invalid_cin"),
    (
        "bad uuid",
        "/api/v1/contracts",
        {"client_id": "nope", "offer_id": str(uuid.uuid4())},
        422,
        "validation_failed",
    ),
    (
        "bad commitment",
        "/api/v1/contracts",
        {"client_id": str(uuid.uuid4()), "offer_id": str(uuid.uuid4()), "commitment_months": 6},
        422,
        "validation_failed",
    ),
    (
        "unknown client",
        "/api/v1/contracts",
        {"client_id": str(uuid.uuid4()), "offer_id": str(uuid.uuid4())},
        404,
        "client_not_found",
    ),
]


def _headers_for(path: str) -> dict:
    return ADMIN if path.endswith("/offers") else OPERATOR


def _assert_envelope(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["correlation_id"] == response.headers["x-correlation-id"]


@pytest.mark.parametrize(("label", "path", "body", "status", "code"), CASES, ids=[c[0] for c in CASES])
async def test_bad_body_is_refused_and_appends_nothing(in_process_system, label, path, body, status, code):
    runtime, client = in_process_system
    head = runtime.store.head()
    response = await client.post(path, json=body, headers=_headers_for(path))
    _assert_envelope(response, status, code)
    assert runtime.store.head() == head


async def test_unknown_offer_for_a_known_client_is_404(in_process_system):
    runtime, client = in_process_system
    customer = await register_client(client)
    head = runtime.store.head()
    response = await client.post(
        "/api/v1/contracts",
        json={"client_id": customer["id"], "offer_id": str(uuid.uuid4())},
        headers=OPERATOR,
    )
    _assert_envelope(response, 404, "offer_not_found")
    assert runtime.store.head() == head


@pytest.mark.parametrize(
    "start_date, code", [("9999-12-01", "start_date_too_far_ahead"), ("2000-01-01", "start_date_in_past")]
)
async def test_a_start_date_outside_the_booking_window_is_422(in_process_system, start_date, code):
    runtime, client = in_process_system
    customer, offer = await register_client(client), await create_offer(client)
    head = runtime.store.head()
    body = {"client_id": customer["id"], "offer_id": offer["id"], "start_date": start_date}
    response = await client.post("/api/v1/contracts", json=body, headers=OPERATOR)
    _assert_envelope(response, 422, code)
    assert runtime.store.head() == head


@pytest.mark.parametrize("raw", [b"{bad json", b"not json at all", b"[1, 2]", b""])
async def test_malformed_json_is_400(in_process_system, raw):
    runtime, client = in_process_system
    head = runtime.store.head()
    response = await client.post(
        "/api/v1/clients", content=raw, headers={**OPERATOR, "content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "malformed_json"
    assert runtime.store.head() == head


async def test_oversized_body_is_413_declared_or_streamed(in_process_system):
    runtime, client = in_process_system
    head = runtime.store.head()
    big = b'{"cin": "' + b"A" * (runtime.settings.max_body_bytes + 10) + b'"}'
    declared = await client.post(
        "/api/v1/clients", content=big, headers={**OPERATOR, "content-type": "application/json"}
    )

    async def chunks():
        for _ in range(40):
            yield b" " * 10_000

    streamed = await client.post(
        "/api/v1/clients", content=chunks(), headers={**OPERATOR, "content-type": "application/json"}
    )
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
    assert runtime.store.head() == head


async def test_duplicate_cin_is_409_and_appends_nothing(in_process_system):
    runtime, client = in_process_system
    await register_client(client, cin="CD 98765")
    head = runtime.store.head()
    response = await client.post("/api/v1/clients", json={**VALID_CLIENT, "cin": "cd98765"}, headers=OPERATOR)
    _assert_envelope(response, 409, "client_already_exists")
    assert runtime.store.head() == head


async def test_retired_offer_cannot_be_sold(in_process_system):
    runtime, client = in_process_system
    customer = await register_client(client)
    offer = await create_offer(client)
    retired = await client.post(f"/api/v1/offers/{offer['id']}/retirement", headers=ADMIN)
    assert retired.status_code == 200, retired.text
    head = runtime.store.head()
    response = await client.post(
        "/api/v1/contracts", json={"client_id": customer["id"], "offer_id": offer["id"]}, headers=OPERATOR
    )
    _assert_envelope(response, 422, "offer_not_sellable")
    assert runtime.store.head() == head


async def test_unknown_route_and_wrong_method_use_the_envelope(in_process_system):
    _, client = in_process_system
    missing = await client.get("/api/v1/nothing-here", headers=OPERATOR)
    wrong = await client.delete("/api/v1/clients", headers=OPERATOR)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/clients",
            b'{"cin": "AB123456", "full_name": "A\\u0000B", "email": "a@b.ma", "address": "x"}',
        ),
        (
            "/api/v1/clients?name=%00",
            b'{"cin": "AB123456", "full_name": "A", "email": "a@b.ma", "address": "x"}',
        ),
    ],
)
async def test_nul_characters_are_refused_before_they_can_poison_a_projection(in_process_system, path, body):
    runtime, client = in_process_system
    head = runtime.store.head()
    response = await client.post(path, content=body, headers={**OPERATOR, "content-type": "application/json"})
    _assert_envelope(response, 422, "invalid_characters")
    listed = await client.get("/api/v1/clients", params={"name": "\x00"}, headers=OPERATOR)
    assert listed.status_code == 422
    assert runtime.store.head() == head
