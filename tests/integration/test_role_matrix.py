"""Every operation of the OpenAPI document, called by every role and by a partner key narrowed to `read`:
a role outside the operation's `x-roles`, or a scope the key lacks, is refused with 403; every other call
gets past the gate (whatever the made-up ids and empty bodies then earn: 404, 422...). The document is
the contract partners read, so the gate must be what it says. Real PostgreSQL; the system in-process."""

from __future__ import annotations

import uuid

from gateways.auth import scope_for
from infra.runtime.app import create_app
from tests.support import KEYS, fresh_settings, serving

PRINCIPALS = {
    "operator": ("test-operator-key", "operator", None),
    "auditor": ("test-auditor-key", "auditor", None),
    "admin": ("test-admin-key", "admin", None),
    "partner": ("test-integrator-key", "integrator", {"read", "clients:write", "contracts:write"}),
    "partner (read only)": ("partner-bi-key", "integrator", {"read"}),
}
FILLERS = {"month": "2026-11"}


def _operations(settings):
    document = create_app(settings).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if operation.get("x-roles"):
                yield method.upper(), path, set(operation["x-roles"])


def _concrete(path: str) -> str:
    parts = []
    for part in path.split("/"):
        name = part[1:-1] if part.startswith("{") else None
        parts.append(FILLERS.get(name, str(uuid.uuid4())) if name else part)
    return "/".join(parts)


def _expected_refusal(method: str, path: str, roles: set[str], role: str, scopes) -> bool:
    return role not in roles or (scopes is not None and scope_for(method, path) not in scopes)


async def test_each_operation_admits_exactly_the_roles_and_scopes_it_documents():
    keys = {**KEYS, "partner-bi-key": {"role": "integrator", "holder": "partner:bi", "scopes": ["read"]}}
    settings = fresh_settings(kafka=False, api_keys=keys, refusal_limit=10_000)
    operations = list(_operations(settings))
    assert len(operations) > 60
    wrong = []
    async with serving(settings) as (_, client):
        for method, path, roles in operations:
            url = _concrete(path)
            for name, (key, role, scopes) in PRINCIPALS.items():
                body = {} if method in ("POST", "PUT") else None
                answer = await client.request(method, url, json=body, headers={"X-API-Key": key})
                refused = _expected_refusal(method, path, roles, role, scopes)
                if refused != (answer.status_code == 403) or answer.status_code == 401:
                    wrong.append(
                        f"{method} {path} as {name}: {answer.status_code}, expected {'403' if refused else 'not 403'}"
                    )
    assert not wrong, "\n".join(wrong)
