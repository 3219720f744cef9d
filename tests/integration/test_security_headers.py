"""Every answer says it must not be sniffed or framed; the API's are never cached and allow no content; the
front ends' pages allow only this origin; HSTS over TLS. Real system in this process."""

from __future__ import annotations

import httpx

from infra.runtime.app import create_app
from tests.flows import register_client
from tests.support import OPERATOR, eventually, fresh_settings, serving


async def test_api_answers_carry_the_security_headers_and_are_never_cached(in_process_system):
    _, client = in_process_system
    created = await register_client(client)

    async def found() -> httpx.Response | None:
        answer = await client.get(f"/api/v1/clients/{created['id']}", headers=OPERATOR)
        return answer if answer.status_code == 200 else None

    personal = await eventually(found)
    refused = await client.get("/api/v1/clients")  # no key: 401, secured all the same
    for answer in (personal, refused, await client.get("/ready")):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert "strict-transport-security" not in answer.headers  # plain HTTP


async def test_pages_allow_only_this_origin_and_tls_gets_hsts():
    settings = fresh_settings(kafka=False)
    async with serving(settings) as (runtime, _):
        app = create_app(settings, runtime=runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://mtf") as tls:
            page = await tls.get("/workspace/")
            api = await tls.get("/health")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    assert page.headers["x-frame-options"] == "DENY"
    for answer in (page, api):
        assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
