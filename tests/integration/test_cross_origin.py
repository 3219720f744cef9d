"""Browsers on the configured front-end origins may call the API; other origins get no CORS grant."""

from __future__ import annotations

from tests.support import fresh_settings, serving

SITE = "https://abonnement.example.ma"


async def test_a_configured_origin_gets_its_preflight_and_reads_the_consistency_token():
    settings = fresh_settings(kafka=False, cors_origins=[SITE])
    async with serving(settings) as (_, client):
        preflight = await client.options(
            "/api/v1/landing/subscriptions",
            headers={
                "Origin": SITE,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "idempotency-key, content-type",
            },
        )
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == SITE
        assert "idempotency-key" in preflight.headers["access-control-allow-headers"].lower()
        boot = await client.get("/api/v1/landing/bootstrap", headers={"Origin": SITE})
        assert boot.headers["access-control-allow-origin"] == SITE
        assert "x-consistency-token" in boot.headers["access-control-expose-headers"].lower()
        stranger = await client.get("/api/v1/landing/bootstrap", headers={"Origin": "https://evil.example"})
        assert stranger.status_code == 200 and "access-control-allow-origin" not in stranger.headers


async def test_without_configured_origins_no_cors_header_is_sent(in_process_system):
    _, client = in_process_system
    response = await client.get("/api/v1/landing/bootstrap", headers={"Origin": SITE})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
