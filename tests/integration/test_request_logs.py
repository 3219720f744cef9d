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
