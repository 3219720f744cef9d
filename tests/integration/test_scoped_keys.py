"""Partner keys narrowed to scopes: `read` for every GET, `<resource>:write` for the writes under /api/v1/<resource>."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.kernel.settings import Settings
from infra.runtime.app import create_app
from tests.flows import create_offer, random_cin, register_client
from tests.support import AUDITOR, KEYS, eventually, fresh_settings, serving

PROVISIONER = {"X-API-Key": "partner-crm-key"}  # may read and provision, nothing else
REPORTER = {"X-API-Key": "partner-bi-key"}  # may only read


async def test_a_scoped_partner_key_does_only_what_its_scopes_grant_and_each_refusal_is_recorded():
    keys = {
        **KEYS,
        "partner-crm-key": {
            "role": "integrator",
            "holder": "partner:crm",
            "scopes": ["read", "contracts:write"],
        },
        "partner-bi-key": {"role": "integrator", "holder": "partner:bi", "scopes": ["read"]},
    }
    settings = fresh_settings(kafka=False, api_keys=keys)
    async with serving(settings) as (_, client):
        owner, offer = await register_client(client), await create_offer(client)
        newcomer = {
            "cin": random_cin(),
            "full_name": "Omar Alaoui",
            "email": "omar@example.ma",
            "address": "Tanger",
        }
        brought = {"client": newcomer, "offer_id": offer["id"], "commitment_months": 12}
        provisioned = await client.post("/api/v1/contracts", json=brought, headers=PROVISIONER)
        assert provisioned.status_code == 201, provisioned.text
        token = {"consistency_token": provisioned.json()["position"]}
        path = f"/api/v1/contracts/{provisioned.json()['id']}"
        mine = await client.get(path, params=token, headers=PROVISIONER)
        assert mine.status_code == 200 and mine.json()["brought_by"] == "partner:crm"
        # Another partner's contract, and a client the staff registered, do not exist for this partner.
        theirs = await client.get(path, params=token, headers=REPORTER)
        assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "contract_not_found"
        body = {"client_id": owner["id"], "offer_id": offer["id"], "commitment_months": 12}
        staffs = await client.post("/api/v1/contracts", json=body, headers=PROVISIONER)
        assert staffs.status_code == 404 and staffs.json()["error"]["code"] == "client_not_found"

        newcomer = {**newcomer, "cin": random_cin()}
        refused = await client.post("/api/v1/clients", json=newcomer, headers=PROVISIONER)
        assert (
            refused.status_code == 403
            and refused.json()["error"]["details"]["required_scope"] == "clients:write"
        )
        read_only = await client.post("/api/v1/contracts", json=body, headers=REPORTER)
        assert read_only.status_code == 403 and read_only.json()["error"]["details"]["granted_scopes"] == [
            "read"
        ]
        assert (await register_client(client, headers={"X-API-Key": "test-integrator-key"}))[
            "id"
        ]  # an unscoped integrator key may

        async def both_recorded() -> list[str] | None:
            refusals = await client.get(
                "/api/v1/access-refusals", params={"role": "integrator"}, headers=AUDITOR
            )
            paths = sorted(r["path"] for r in refusals.json()["items"])
            return paths if len(paths) >= 2 else None

        assert await eventually(both_recorded) == ["/api/v1/clients", "/api/v1/contracts"]


def test_a_scope_that_names_no_permission_is_a_configuration_error():
    with pytest.raises(ValidationError):
        Settings(
            _env_file=None,
            api_keys={"k": {"role": "integrator", "holder": "partner:x", "scopes": ["contracts:delete"]}},
        )
    with pytest.raises(ValidationError):
        Settings(_env_file=None, api_keys={"k": {"role": "partner"}})


def test_a_named_key_file_that_is_missing_stops_the_start(tmp_path):
    """An unmounted secret must not leave a gateway that refuses every key it was meant to accept."""
    with pytest.raises(ValueError, match="absent.json does not exist"):
        create_app(Settings(_env_file=None, api_keys_file=tmp_path / "absent.json"))
    present = tmp_path / "keys.json"
    present.write_text('{"k1": "auditor"}')
    assert Settings(_env_file=None, api_keys_file=present).api_key_ring.find("k1")[1].role == "auditor"


async def test_me_tells_each_key_its_role_and_exactly_the_operations_it_may_call():
    keys = {**KEYS, "partner-bi-key": {"role": "integrator", "holder": "partner:bi", "scopes": ["read"]}}
    async with serving(fresh_settings(kafka=False, api_keys=keys)) as (_, client):
        operator = (await client.get("/api/v1/me", headers={"X-API-Key": "test-operator-key"})).json()
        auditor = (await client.get("/api/v1/me", headers=AUDITOR)).json()
        reporter = (await client.get("/api/v1/me", headers=REPORTER)).json()
        anonymous = await client.get("/api/v1/me")
    assert operator["role"] == "operator" and operator["scopes"] is None
    assert "test-operator-key" not in str(operator) and operator["key_id"].startswith("key:")
    assert {"provisionContract", "recordPayment", "runBilling", "listClients"} <= set(operator["operations"])
    assert "getEventHistory" not in operator["operations"] and "createOffer" not in operator["operations"]
    assert {"getEventHistory", "getStateAt", "listAccessRefusals", "getContract"} <= set(
        auditor["operations"]
    )
    assert not [
        op for op in auditor["operations"] if not op.startswith(("get", "list", "download", "whoAmI"))
    ]
    assert reporter["scopes"] == ["read"] and reporter["key_id"] == "partner:bi"
    assert {"listClients", "getContract", "listOffers"} <= set(reporter["operations"])
    assert "provisionContract" not in reporter["operations"]
    assert "listInvoices" not in reporter["operations"]  # a partner reads its clients and contracts only
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
