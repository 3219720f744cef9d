"""Schemathesis drives every operation of the OpenAPI document with generated input.

Whatever it sends, the API must answer with something other than a 5xx: bad input is a 4xx.
And every answer must be one the document describes: a documented status, with a body that
matches its schema (the error envelope for every error) and the documented content type.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi import checks

from infra.devstack.local_kafka import free_port
from tests.processes import REPO
from tests.support import ADMIN, AUDITOR, OPERATOR, fresh_settings, settings_env

AS_DOCUMENTED = [
    checks.status_code_conformance,
    checks.response_schema_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
]
EXAMPLES = int(
    os.environ.get("MTF_FUZZ_EXAMPLES", "30")
)  # per operation; CI's budget, raise it for a longer hunt
ADMIN_PATHS = ("/api/v1/offers", "/api/v1/subscribers/{subscriber_id}/status")
AUDITOR_PATHS = ("/api/v1/event-history", "/api/v1/access-refusals")  # only auditors get past the role check


@pytest.fixture(scope="module")
def api_url():
    env = settings_env(fresh_settings(kafka=False))
    port = free_port()
    env["MTF_HTTP_PORT"] = str(port)
    command = [sys.executable, "-m", "infra.runtime.cli", "run"]
    server = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise TimeoutError("the API did not start")
        yield url
    finally:
        server.terminate()
        server.wait(30)


def _key_for(path: str) -> dict[str, str]:
    if path.startswith(AUDITOR_PATHS):
        return AUDITOR
    return ADMIN if path.startswith(ADMIN_PATHS) else OPERATOR


def _refused_amounts(response) -> list[dict]:
    """The amounts of a generated request refused as invalid. The cases are generated from the
    document (positive mode), so each would be a place where the document allows more than the
    API accepts. Only amounts are checked this way: the other fields' schemas still allow input
    the commands refuse after normalising it (a name of spaces only, stripped to nothing)."""
    if response.status_code != 422 or (error := response.json()["error"])["code"] != "validation_failed":
        return []
    return [d for d in error["details"] if d["type"].startswith("decimal") or d["type"] == "greater_than"]


def _fuzz(operation, api_url: str, failures: list[str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def exercise(case) -> None:
        response = case.call(base_url=api_url, headers=_key_for(case.path))
        body = str(case.body)[:200]
        request = (
            f"{case.method} {case.formatted_path} query={case.query} body={body} -> {response.status_code}"
        )
        if response.status_code >= 500:
            failures.append(request)
        if refused_amounts := _refused_amounts(response):
            failures.append(f"{request}, amounts the document allows were refused: {refused_amounts}")
        try:
            case.validate_response(response, checks=AS_DOCUMENTED)
        except (Failure, FailureGroup) as unlike:
            found = unlike.exceptions if isinstance(unlike, FailureGroup) else (unlike,)
            failures.extend(
                f"{request}, not as documented: {f.title}: {' '.join(f.message.split())[:300]}" for f in found
            )

    exercise()


def test_no_generated_request_makes_the_api_fail(api_url):
    # schemathesis' pytest plugin does not run under pytest 9 yet; its strategies do.
    api_schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20, "every endpoint is exercised"
    failures: list[str] = []
    for operation in operations:
        _fuzz(operation, api_url, failures)
    assert failures == [], "\n".join(failures)
