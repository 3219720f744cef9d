"""Keys configured by their hash name their holder, who is recorded as the actor of what the key does;
editing the keys file rotates a key on a running gateway. Real PostgreSQL; the system in this process."""

from __future__ import annotations

import asyncio
import os

import orjson

from infra.kernel.api_keys import key_hash
from tests.flows import create_offer, register_client
from tests.support import KEYS, eventually, fresh_settings, serving

FATIMA = {"X-API-Key": "fatima-zahra-operator-key"}
ROTATED = {"X-API-Key": "fatima-zahra-new-key"}


def _keys_file(path, key: str) -> None:
    grant = {"role": "operator", "holder": "staff:fatima.zahra"}
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_bytes(orjson.dumps({key_hash(key): grant}))
    os.utime(path, ns=(before + 10**9,) * 2)


async def test_the_holder_of_a_hashed_key_is_the_actor_on_the_events_and_the_audit_trail(tmp_path):
    keys = tmp_path / "keys.json"
    _keys_file(keys, FATIMA["X-API-Key"])
    async with serving(fresh_settings(kafka=False, api_keys=KEYS, api_keys_file=keys)) as (runtime, client):
        me = await client.get("/api/v1/me", headers=FATIMA)
        assert me.status_code == 200 and me.json()["key_id"] == "staff:fatima.zahra"
        owner = await register_client(client, headers=FATIMA)
        offer = await create_offer(client)
        body = {"client_id": owner["id"], "offer_id": offer["id"], "commitment_months": 12}
        contract = (await client.post("/api/v1/contracts", json=body, headers=FATIMA)).json()

        async def trail() -> list:
            answer = await client.get(f"/api/v1/contracts/{contract['id']}/audit-trail", headers=FATIMA)
            return answer.json()["items"] if answer.status_code == 200 else []

        entries = await eventually(trail)
        async with runtime.pool.acquire() as conn:
            actors = await conn.fetch(
                "SELECT DISTINCT convert_from(state, 'UTF8')::jsonb -> '_meta' ->> 'actor' AS actor "
                "FROM eventstore.mtf_events WHERE originator_id = ANY($1::uuid[])",
                [owner["id"], contract["id"]],
            )
    assert [r["actor"] for r in actors] == ["staff:fatima.zahra"]
    assert {e["actor"] for e in entries} == {"staff:fatima.zahra"}


async def test_editing_the_keys_file_rotates_a_key_without_a_restart(tmp_path):
    keys = tmp_path / "keys.json"
    _keys_file(keys, FATIMA["X-API-Key"])
    async with serving(fresh_settings(kafka=False, api_keys=KEYS, api_keys_file=keys)) as (_, client):
        assert (await client.get("/api/v1/me", headers=FATIMA)).status_code == 200
        assert (await client.get("/api/v1/me", headers=ROTATED)).status_code == 401

        _keys_file(keys, ROTATED["X-API-Key"])
        await asyncio.sleep(1.1)  # the file is looked at once a second
        assert (await client.get("/api/v1/me", headers=ROTATED)).json()["key_id"] == "staff:fatima.zahra"
        old = await client.get("/api/v1/me", headers=FATIMA)
        assert old.status_code == 401 and old.json()["error"]["code"] == "unauthenticated"
