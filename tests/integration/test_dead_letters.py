"""A poison event in a projection handler: parked with its error, the aggregate's later events held behind it,
everything else flowing; /ready says so; a retry after the fix applies them once, and the read model then
equals a replay; a discard records who and why. Real PostgreSQL, the system in this process."""

from __future__ import annotations

import pytest

from projections.base import Projection
from projections.replay import replay
from tests.flows import register_client
from tests.processes import run_cli
from tests.support import (
    ADMIN,
    AUDITOR,
    OPERATOR,
    dump_tables,
    eventually,
    fresh_settings,
    serving,
    settings_env,
)

TABLE = "readmodel.poison_probe"
FAILING = {"on": True}


async def _registered(conn, event) -> None:
    if FAILING["on"] and event.data["cin"].startswith("PX"):  # published masked: PX****21
        raise ValueError("cannot take this one")
    await conn.execute(
        f"INSERT INTO {TABLE} VALUES ($1, $2, 'active')", event.aggregate_id, event.data["full_name"]
    )


async def _status_changed(conn, event) -> None:
    await conn.execute(
        f"UPDATE {TABLE} SET status = $2 WHERE client_id = $1", event.aggregate_id, event.data["status"]
    )


PROBE = Projection(
    name="poison_probe",
    aggregates=("client",),
    ddl=f"CREATE TABLE IF NOT EXISTS {TABLE} (client_id uuid PRIMARY KEY, full_name text, status text)",
    tables=(TABLE,),
    handlers={"ClientRegistered": _registered, "ClientStatusChanged": _status_changed},
)


@pytest.fixture
async def system_with_a_probe():
    FAILING["on"] = True
    async with serving(fresh_settings(kafka=False)) as (runtime, client):
        async with runtime.pool.acquire() as conn:
            await conn.execute(PROBE.ddl)
        runtime.projector.projections = (*runtime.projector.projections, PROBE)
        yield runtime, client


async def _seen(client, client_id: str) -> None:
    async def probe() -> bool:
        return (await client.get(f"/api/v1/clients/{client_id}", headers=OPERATOR)).status_code == 200

    await eventually(probe, timeout=15)


async def _parked(client) -> list[dict]:
    answer = await client.get("/api/v1/dead-letters", params={"status": "parked"}, headers=AUDITOR)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def test_a_poison_event_is_parked_the_rest_flows_and_a_retry_after_the_fix_applies_it_once(
    system_with_a_probe,
):
    runtime, client = system_with_a_probe
    first = (await register_client(client))["id"]
    poison = (await _register_poison(client, "PX654321"))["id"]
    await _seen(client, first)
    await _seen(client, poison)  # the client directory has it: only the probe failed
    suspended = await client.post(
        f"/api/v1/clients/{poison}/status", json={"status": "suspended", "reason": "test"}, headers=OPERATOR
    )
    assert suspended.status_code == 200, suspended.text
    later = (await register_client(client))["id"]
    await _seen(client, later)

    await eventually(lambda: _has_parked(client, 2), timeout=15)
    parked = await _parked(client)
    assert [(p["event_type"], p["held"]) for p in parked] == [
        ("ClientRegistered", False),
        ("ClientStatusChanged", True),
    ]
    assert "cannot take this one" in parked[0]["error"] and parked[0]["consumer"] == "projection:poison_probe"
    ready = (await client.get("/ready")).json()["checks"]["projections"]
    assert ready["parked"] == {"poison_probe": 2}
    rows = (await dump_tables(runtime.settings.database_url, TABLE))[TABLE]
    assert sorted(r[1] for r in rows) == ["A. B.", "A. B."]  # the first and the later client, names masked

    FAILING["on"] = False  # the fix
    retried = await client.post(f"/api/v1/dead-letters/{parked[0]['id']}/retry", headers=ADMIN)
    assert retried.status_code == 200, retried.text
    assert retried.json()["ids"] == [p["id"] for p in parked]
    again = await client.post(f"/api/v1/dead-letters/{parked[0]['id']}/retry", headers=ADMIN)
    assert again.status_code == 409 and again.json()["error"]["code"] == "dead_letter_resolved"

    live = await dump_tables(runtime.settings.database_url, TABLE)
    await replay(runtime.store, runtime.pool, [PROBE])
    assert await dump_tables(runtime.settings.database_url, TABLE) == live
    assert (await client.get("/ready")).json()["checks"]["projections"]["parked"] == {}


async def test_a_discarded_dead_letter_records_who_and_why_and_frees_the_aggregate(system_with_a_probe):
    runtime, client = system_with_a_probe
    await _register_poison(client, "PX123456")
    await eventually(lambda: _has_parked(client, 1), timeout=15)
    [parked] = await _parked(client)

    refused = await client.post(
        f"/api/v1/dead-letters/{parked['id']}/discard", json={"reason": "ok"}, headers=OPERATOR
    )
    assert refused.status_code == 403
    discarded = await client.post(
        f"/api/v1/dead-letters/{parked['id']}/discard",
        json={"reason": "test client, never billed"},
        headers=ADMIN,
    )
    assert discarded.status_code == 200, discarded.text
    [row] = (
        await client.get("/api/v1/dead-letters", params={"status": "discarded"}, headers=AUDITOR)
    ).json()["items"]
    assert (row["reason"], row["resolved_by"].startswith("key:")) == ("test client, never billed", True)
    assert await _parked(client) == []


async def _register_poison(client, cin: str) -> dict:
    """A client whose registration the probe's handler cannot apply while FAILING is on."""
    answer = await client.post(
        "/api/v1/clients",
        json={"cin": cin, "full_name": "Poison Pill", "email": "p@example.ma", "address": "Rabat"},
        headers=OPERATOR,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _has_parked(client, count: int) -> bool:
    return len(await _parked(client)) == count


async def test_the_cli_lists_dead_letters_and_refuses_an_unknown_one_plainly(system_with_a_probe):
    runtime, client = system_with_a_probe
    await _register_poison(client, "PX111222")
    await eventually(lambda: _has_parked(client, 1), timeout=15)
    env = settings_env(runtime.settings)

    listed = await run_cli(["dead-letters", "list"], env)
    assert listed.returncode == 0, listed.stderr
    assert "projection:poison_probe" in listed.stdout and "cannot take this one" in listed.stdout
    unknown = await run_cli(["dead-letters", "retry", "999999"], env)
    assert unknown.returncode == 1 and "dead_letter_not_found" in unknown.stdout
