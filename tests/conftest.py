from __future__ import annotations

import pytest

from tests.support import fresh_settings, serving, settings_env


def _system(kafka: bool):
    return serving(fresh_settings(kafka=kafka))


@pytest.fixture
async def in_process_system():
    """The whole system in this process, projections fed in-process (the `make run` shape)."""
    async with _system(kafka=False) as system:
        yield system


@pytest.fixture
async def kafka_system():
    """Gateway, relay and FastStream consumers in this process, events flowing through real Kafka."""
    async with _system(kafka=True) as system:
        yield system


@pytest.fixture
async def gateway_only():
    """Commands are accepted and stored; nothing relays in this process (tests start `mtf relay` processes)."""
    settings = fresh_settings(kafka=True)
    async with serving(settings, relay=False, projector=False) as (runtime, client):
        yield runtime, client, settings_env(settings)


@pytest.fixture(params=["in-process", "kafka"])
async def any_system(request):
    """Both delivery modes: one code path must give the same answers."""
    async with _system(kafka=request.param == "kafka") as system:
        yield system
