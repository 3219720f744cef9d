"""Payloads of mtf.client.v1 events."""

from __future__ import annotations

from schemas.events.base import EventPayload


class ClientRegisteredV1(EventPayload):
    cin: str
    full_name: str
    email: str
    address: str
    phone: str | None
