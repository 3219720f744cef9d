"""The distributed deployment as an operator runs it: gateway, relay and projector processes."""

from __future__ import annotations

import httpx
import pytest

from infra.devstack.local_kafka import free_port
from tests.processes import background
from tests.support import eventually, fresh_settings, settings_env


@pytest.fixture
async def deployment():
    settings = fresh_settings(kafka=True)
    env = settings_env(settings)
    port = free_port()
    env["MTF_HTTP_PORT"] = str(port)
    # Three processes share 2 cores with Kafka and PostgreSQL during the suite: give
    # read-your-writes the time a loaded machine needs (production answers 503 + Retry-After).
    env["MTF_CONSISTENCY_WAIT_MS"] = "10000"
    async with background(["gateway"], env), background(["relay"], env), background(["project"], env):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            await eventually(lambda: _ready(client), timeout=45)
            yield settings, env, client


async def _ready(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/ready")).status_code == 200
    except httpx.TransportError:
        return False
