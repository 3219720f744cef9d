"""Payloads of mtf.subscriber.v1 events."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from schemas.events.base import EventPayload


class SubscriberCreatedV1(EventPayload):
    client_id: UUID
    service: Literal["mobile", "internet", "landline"]
    number: str


class SubscriberStatusChangedV1(EventPayload):
    status: Literal["active", "suspended", "closed"]
    reason: str
