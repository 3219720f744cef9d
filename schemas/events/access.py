"""Payloads of mtf.access.v1 events."""

from __future__ import annotations

from schemas.events.base import EventPayload


class PrivilegedActionRefusedV1(EventPayload):
    actor: str
    role: str
    method: str
    path: str
    allowed_roles: list[str]
