"""A relay leader cut off from PostgreSQL by the network keeps its session, and its lock, for as long as the
server's TCP keepalive takes (hours). Its lease, renewed every tenth of the timeout, goes stale instead, and
a standby ends that session and delivers within the stated bound. Two `mtf relay` processes, the leader's
connections through a proxy the test cuts (nothing passes, nothing closes); real PostgreSQL and Kafka."""

from __future__ import annotations

import time
from pathlib import Path

from tests.fault_proxy import postgres_proxy
from tests.flows import new_contract
from tests.processes import background
from tests.support import eventually, relay_position

LEASE_TIMEOUT_S = 3
# The bound docs/operations.md states (lease timeout + a standby poll), and up to 3 s to deliver the batch.
DELIVERED_WITHIN_S = LEASE_TIMEOUT_S + 1 + 3


def _said(process, words: str):
    async def probe() -> bool:
        return words in Path(process.log_path).read_text()

    return probe


async def test_a_standby_delivers_within_the_bound_when_the_leader_is_cut_off(gateway_only):
    runtime, client, env = gateway_only
    relay_env = {**env, "MTF_LOG_LEVEL": "info", "MTF_RELAY_LEASE_TIMEOUT_S": str(LEASE_TIMEOUT_S)}
    proxy, proxied_url = postgres_proxy(runtime.settings.database_url)
    async with proxy:
        async with background(["relay"], {**relay_env, "MTF_DATABASE_URL": proxied_url}) as leader:
            await eventually(_said(leader, "relay kafka: leading"), timeout=30)
            async with background(["relay"], relay_env) as standby:
                await eventually(_said(standby, "another process leads; standing by"), timeout=30)
                await new_contract(client)
                await eventually(_delivered(runtime), timeout=15)

                proxy.cut()
                cut_at = time.monotonic()
                await new_contract(client)
                await eventually(_delivered(runtime), timeout=30, interval=0.1)
                took = time.monotonic() - cut_at

                assert took <= DELIVERED_WITHIN_S, f"delivered {took:.1f} s after the cut"
                assert "its session was ended" in Path(standby.log_path).read_text()
                assert "relay kafka: leading" in Path(standby.log_path).read_text()


def _delivered(runtime):
    async def probe() -> bool:
        return await relay_position(runtime.pool) >= runtime.store.head()

    return probe
