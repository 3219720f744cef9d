"""Crashes at the dangerous moments: no event is lost, no duplicate has a second effect.

Relay and projector run as real `mtf relay` / `mtf project` processes killed hard (os._exit)
at named crash points; the broker and database are real.
"""

from __future__ import annotations

from infra.runtime.features import PROJECTIONS
from schemas.envelopes import decode
from tests.flows import new_contract
from tests.processes import background, crash_at, run_to_exit
from tests.support import dump_tables, eventually, read_topic, relay_position, settings_env, settled

READ_MODEL_TABLES = [t for p in PROJECTIONS.values() for t in p.tables]


async def _equals_full_replay(runtime) -> None:
    url = runtime.settings.database_url
    live = await dump_tables(url, *READ_MODEL_TABLES)
    env = settings_env(runtime.settings)
    env["MTF_KAFKA_BOOTSTRAP"] = ""
    replayed_run = run_to_exit(["replay"], env)
    assert replayed_run.returncode == 0, replayed_run.stdout + replayed_run.stderr
    assert await dump_tables(url, *READ_MODEL_TABLES) == live


async def test_relay_killed_after_publish_before_saving_position(gateway_only):
    runtime, client, env = gateway_only
    created = await new_contract(client)
    head = runtime.store.head()

    await crash_at("relay.after_publish", ["relay"], env)
    assert await relay_position(runtime.pool) == 0, "position must not be saved before the crash point"
    topic = runtime.settings.topic("contract")
    first = await read_topic(runtime.settings.kafka_bootstrap, topic, expected=3)
    assert len(first) == 3

    async with background(["relay"], env), background(["project"], env):
        await eventually(lambda: _at(runtime, head))
        await eventually(lambda: settled(runtime.settings.database_url, 1), timeout=30)

    records = await read_topic(runtime.settings.kafka_bootstrap, topic, expected=6)
    versions = sorted(decode(r.value).aggregateversion for r in records if r.key == created["id"].encode())
    assert versions == [1, 1, 2, 2, 3, 3], "the batch was published twice"
    trail = await dump_tables(runtime.settings.database_url, "readmodel.contract_audit_trail")
    assert len(trail["readmodel.contract_audit_trail"]) == 3, "duplicates had no second effect"
    await _equals_full_replay(runtime)


async def test_relay_killed_before_publish_delivers_after_restart(gateway_only):
    runtime, client, env = gateway_only
    created = await new_contract(client)
    head = runtime.store.head()

    await crash_at("relay.before_publish", ["relay"], env)
    topic = runtime.settings.topic("contract")
    assert await read_topic(runtime.settings.kafka_bootstrap, topic, expected=0, timeout=1) == []

    async with background(["relay"], env), background(["project"], env):
        await eventually(lambda: _at(runtime, head))
        await eventually(lambda: settled(runtime.settings.database_url, 1), timeout=30)

    records = await read_topic(runtime.settings.kafka_bootstrap, topic, expected=3)
    assert sorted(decode(r.value).aggregateversion for r in records if r.key == created["id"].encode()) == [
        1,
        2,
        3,
    ]
    summary = await dump_tables(runtime.settings.database_url, "readmodel.contract_summary")
    assert [str(row[0]) for row in summary["readmodel.contract_summary"]] == [created["id"]]


async def test_projector_killed_mid_batch_recovers_to_full_replay(gateway_only):
    runtime, client, env = gateway_only
    for _ in range(5):
        await new_contract(client)
    head = runtime.store.head()
    async with background(["relay"], env):
        await eventually(lambda: _at(runtime, head))

    await crash_at("projection.mid_batch", ["project"], env)
    partial = await dump_tables(runtime.settings.database_url, "readmodel.contract_summary")
    # The interrupted batch rolled back; a single-record batch may have committed before it.
    assert len(partial["readmodel.contract_summary"]) < 5

    async with background(["project"], env):
        await eventually(lambda: settled(runtime.settings.database_url, 5), timeout=30)
    rows = await dump_tables(
        runtime.settings.database_url, "readmodel.contract_summary", "readmodel.contract_audit_trail"
    )
    assert len(rows["readmodel.contract_summary"]) == 5
    assert len(rows["readmodel.contract_audit_trail"]) == 15
    await _equals_full_replay(runtime)


async def _at(runtime, head: int) -> bool:
    return await relay_position(runtime.pool) >= head
