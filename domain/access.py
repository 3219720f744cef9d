"""Refused privileged actions, kept as audit records (docs/rules.md, "Across the API")."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event


class AccessRefusal(Aggregate):
    """One refused attempt: who (API-key fingerprint and role) tried what, and what was required."""

    @event("PrivilegedActionRefused")
    def __init__(self, actor: str, role: str, method: str, path: str, allowed_roles: list[str]) -> None:
        self.actor = actor
        self.role = role
        self.method = method
        self.path = path
        self.allowed_roles = allowed_roles
