"""A log line written while a request is served carries that request's correlation id and actor."""

from __future__ import annotations

import io
import logging

import orjson

from infra.kernel import logs
from tests.support import AUDITOR, fresh_settings, serving


async def test_a_refusal_and_the_access_log_carry_the_requests_correlation_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter("mtf-gateway"))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)  # setLevel, not the attribute: loggers cache whether a level is enabled
    try:
        async with serving(fresh_settings(kafka=False, access_log_sample=1.0)) as (_, client):
            refused = await client.post(
                "/api/v1/offers", json={}, headers={**AUDITOR, "X-Correlation-ID": "desk-42"}
            )
            assert refused.status_code == 403
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    mine = [line for line in lines if line.get("correlation_id") == "desk-42"]
    security = next(line for line in mine if line["logger"] == "mtf.security")
    access = next(line for line in mine if line["logger"] == "mtf.access")
    assert security["actor"].startswith("key:") and security["role"] == "mtf-gateway"
    assert access["message"].startswith("POST /api/v1/offers 403 ")


async def test_a_request_without_a_known_key_is_logged_and_counted_without_the_key(in_process_system):
    _, client = in_process_system
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter("mtf-gateway"))
    logging.getLogger("mtf.security").addHandler(handler)
    try:
        before = (await client.get("/metrics")).text
        refused = await client.get("/api/v1/clients", headers={"X-API-Key": "sk-mistyped-secret"})
        after = (await client.get("/metrics")).text
    finally:
        logging.getLogger("mtf.security").removeHandler(handler)
    assert refused.status_code == 401
    [line] = [orjson.loads(text) for text in stream.getvalue().splitlines()]
    assert line["message"].startswith("unauthenticated (unknown_key): GET /api/v1/clients from ")
    assert "sk-mistyped-secret" not in stream.getvalue()
    assert _count(after) == _count(before) + 1


def _count(exposition: str) -> float:
    for text in exposition.splitlines():
        if text.startswith("mtf_auth_unauthenticated_total{") and 'reason="unknown_key"' in text:
            return float(text.rsplit(" ", 1)[1])
    return 0.0
