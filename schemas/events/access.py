"""Payloads of mtf.access.v1 events."""

from __future__ import annotations

from domain.access import AccessRefusal
from schemas.events.base import EventPayload


class PrivilegedActionRefusedV1(EventPayload):
    actor: str
    role: str
    method: str
    path: str
    allowed_roles: list[str]


class PrivilegedActionRefusalsRepeatedV1(EventPayload):
    times: int
    window_seconds: int


# The public type of each event: its topic's aggregate name and its payload. schemas/catalog.py gathers these.
PUBLISHED: dict[type, tuple[str, type[EventPayload]]] = {
    AccessRefusal.PrivilegedActionRefused: ("access", PrivilegedActionRefusedV1),
    AccessRefusal.PrivilegedActionRefusalsRepeated: ("access", PrivilegedActionRefusalsRepeatedV1),
}
