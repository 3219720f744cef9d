"""Payloads of mtf.subscriber.v1 events."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from domain.subscriber import Subscriber
from schemas.events.base import EventPayload


class SubscriberCreatedV1(EventPayload):
    client_id: UUID
    service: Literal["mobile", "internet", "landline"]
    number: str


class SubscriberStatusChangedV1(EventPayload):
    status: Literal["active", "suspended", "closed"]
    reason: str


# The public type of each event: its topic's aggregate name and its payload. schemas/catalog.py gathers these.
PUBLISHED: dict[type, tuple[str, type[EventPayload]]] = {
    Subscriber.SubscriberCreated: ("subscriber", SubscriberCreatedV1),
    Subscriber.SubscriberStatusChanged: ("subscriber", SubscriberStatusChangedV1),
}
