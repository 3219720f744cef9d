"""ETag and If-Match on clients, offers and contracts: an update names the version its sender read, and
a stale one is refused with 412 and changes nothing. Real PostgreSQL; the system in this process."""

from __future__ import annotations

import asyncio

from tests.flows import create_offer, new_contract, register_client
from tests.support import ADMIN, OPERATOR

DETAILS = {"full_name": "Amina Benali", "email": "amina@example.ma", "address": "3 Rue Fès, Rabat"}


async def _read(client, path: str, position: int, headers=OPERATOR):
    answer = await client.get(path, params={"consistency_token": position}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer


async def test_two_operators_editing_one_client_cannot_overwrite_each_other(in_process_system):
    _, client = in_process_system
    registered = await register_client(client)
    path = f"/api/v1/clients/{registered['id']}"
    read = await _read(client, path, registered["position"])
    etag = read.headers["etag"]
    assert etag == '"1"'

    first = await client.put(path, json=DETAILS, headers={**OPERATOR, "If-Match": etag})
    assert first.status_code == 200, first.text
    second = await client.put(
        path, json={**DETAILS, "email": "other@example.ma"}, headers={**OPERATOR, "If-Match": etag}
    )
    assert second.status_code == 412 and second.json()["error"]["code"] == "version_mismatch"
    assert second.json()["error"]["details"]["current_version"] == 2

    reread = await _read(client, path, first.json()["position"])
    assert reread.json()["email"] == "amina@example.ma" and reread.headers["etag"] == '"2"'
    again = await client.put(
        path,
        json={**DETAILS, "email": "other@example.ma"},
        headers={**OPERATOR, "If-Match": reread.headers["etag"]},
    )
    assert again.status_code == 200


async def test_offers_and_contracts_carry_an_etag_and_honour_if_match(in_process_system):
    _, client = in_process_system
    offer = await create_offer(client)
    offer_path = f"/api/v1/offers/{offer['id']}"
    etag = (await _read(client, offer_path, offer["position"], ADMIN)).headers["etag"]
    stale = {**ADMIN, "If-Match": '"7"'}
    assert (await client.post(f"{offer_path}/retirement", headers=stale)).status_code == 412
    assert (
        await client.post(f"{offer_path}/retirement", headers={**ADMIN, "If-Match": etag})
    ).status_code == 200

    contract = await new_contract(client)
    contract_path = f"/api/v1/contracts/{contract['id']}"
    read = await _read(client, contract_path, contract["position"])
    body = {"reason": "travel"}
    refused = await client.post(
        f"{contract_path}/suspension", json=body, headers={**OPERATOR, "If-Match": '"1"'}
    )
    assert refused.status_code == 412
    assert (await _read(client, contract_path, contract["position"])).json()["status"] == "active"
    done = await client.post(
        f"{contract_path}/suspension", json=body, headers={**OPERATOR, "If-Match": read.headers["etag"]}
    )
    assert done.status_code == 200, done.text


async def test_a_malformed_if_match_is_a_400_and_a_star_matches_any_version(in_process_system):
    _, client = in_process_system
    registered = await register_client(client)
    path = f"/api/v1/clients/{registered['id']}"
    bad = await client.put(path, json=DETAILS, headers={**OPERATOR, "If-Match": "version 1"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_if_match"
    assert (await client.put(path, json=DETAILS, headers={**OPERATOR, "If-Match": "*"})).status_code == 200


async def test_two_edits_sent_at_once_with_the_same_etag_one_applies_the_other_gets_412(in_process_system):
    _, client = in_process_system
    registered = await register_client(client)
    path = f"/api/v1/clients/{registered['id']}"
    etag = (await _read(client, path, registered["position"])).headers["etag"]
    edits = [{**DETAILS, "email": f"edit{n}@example.ma"} for n in range(2)]
    answers = await asyncio.gather(
        *(client.put(path, json=body, headers={**OPERATOR, "If-Match": etag}) for body in edits)
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
