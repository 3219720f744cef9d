"""Two `mtf relay` processes on one database: one delivers, the other stands by and takes over when the first dies."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from infra.messaging.relay import LEADING_BACKENDS
from tests.flows import new_contract
from tests.processes import background
from tests.support import eventually, read_topic, relay_position

EVENTS_PER_CONTRACT = 3  # on the contract topic: provisioned, activated, document issued


def _delivered(runtime):
    async def probe() -> bool:
        return await relay_position(runtime.pool) >= runtime.store.head()

    return probe


def _logging_info(env: dict[str, str]) -> dict[str, str]:
    return {**env, "MTF_LOG_LEVEL": "info"}  # the relay says at info whether it leads


@asynccontextmanager
async def _leading_relay(env: dict[str, str]):
    """An `mtf relay` process, once it says it leads."""
    async with background(["relay"], env) as relay:
        await eventually(_said(relay, "relay kafka: leading"), timeout=30)
        yield relay


async def _published(runtime, contracts: int) -> int:
    """How many records the contract topic holds, read until `contracts` contracts' worth arrive (and a
    little after)."""
    expected = contracts * EVENTS_PER_CONTRACT
    return len(
        await read_topic(
            runtime.settings.kafka_bootstrap, runtime.settings.topic("contract"), expected=expected
        )
    )


def _led_twice(process):
    async def probe() -> bool:
        return Path(process.log_path).read_text().count("relay kafka: leading") == 2

    return probe


def _said(process, words: str):
    async def probe() -> bool:
        return words in Path(process.log_path).read_text()

    return probe


async def test_a_standby_relay_publishes_nothing_until_the_leader_dies_then_takes_over(gateway_only):
    runtime, client, env = gateway_only
    env, delivered = _logging_info(env), _delivered(runtime)

    async with _leading_relay(env) as first:
        async with background(["relay"], env) as second:
            await eventually(
                _said(second, "relay kafka: "), timeout=30
            )  # up, and past deciding whether it leads
            for _ in range(5):
                await new_contract(client)
            await eventually(delivered, timeout=30)
            assert await _published(runtime, 5) == 5 * EVENTS_PER_CONTRACT, (
                "each event published once: the standby sent nothing"
            )
            assert "another process leads; standing by" in Path(second.log_path).read_text()

            first.kill()  # idle, its position saved: a crash that leaves nothing half-sent
            first.wait()
            await eventually(_said(second, "relay kafka: leading"), timeout=30)
            for _ in range(2):
                await new_contract(client)
            await eventually(delivered, timeout=30)
            assert await _published(runtime, 7) == 7 * EVENTS_PER_CONTRACT


async def test_a_relay_whose_database_session_is_cut_takes_the_lead_again(gateway_only):
    runtime, client, env = gateway_only
    env, delivered = _logging_info(env), _delivered(runtime)

    async with _leading_relay(env) as relay:
        cut = await runtime.pool.fetchval(
            f"SELECT pg_terminate_backend(pid) FROM ({LEADING_BACKENDS}) AS leaders"
        )
        assert cut is True, "the relay's lease was found and its session ended"
        # It notices the cut on its own, with nothing to publish. Had a batch been in flight, the cut
        # relay could not save its position and would publish that batch again (at least once): a
        # contract made before it leads again may be published twice, which is not what this checks.
        await eventually(_led_twice(relay), timeout=30)
        await new_contract(client)
        await eventually(delivered, timeout=30)
        assert await _published(runtime, 1) == EVENTS_PER_CONTRACT
        assert Path(relay.log_path).read_text().count("relay kafka: leading") == 2
        assert relay.poll() is None
