"""Refused privileged actions, kept as audit records (docs/rules.md, "Across the API")."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event


class AccessRefusal(Aggregate):
    """One refused attempt: who (the key's holder and role) tried what, and what was required; and how many
    times the same was refused again within the window it opened (one audit entry, not one per call)."""

    @event("PrivilegedActionRefused")
    def __init__(self, actor: str, role: str, method: str, path: str, allowed_roles: list[str]) -> None:
        self.actor = actor
        self.role = role
        self.method = method
        self.path = path
        self.allowed_roles = allowed_roles
        self.repeats = 0

    @event("PrivilegedActionRefusalsRepeated")
    def repeated(self, times: int, window_seconds: int) -> None:
        """The same refusal came `times` more times within the window that this first one opened."""
        self.repeats += times
