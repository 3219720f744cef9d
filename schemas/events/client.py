"""Payloads of mtf.client.v1 events. CIN, email, phone and address are personal data."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from domain.client import Client
from schemas.events.base import EventPayload


class ClientRegisteredV1(EventPayload):
    cin: str
    full_name: str
    email: str
    address: str
    phone: str | None
    language: Literal["fr", "ar"] = "fr"  # added later: absent from earlier events, which mean fr
    ice: str | None = None
    brought_by: str | None = Field(
        default=None,
        description="The partner (partner:<name>) that registered the client; null or absent: the operator's staff.",
    )


class ClientDetailsUpdatedV1(EventPayload):
    full_name: str
    email: str
    address: str
    phone: str | None
    language: Literal["fr", "ar"] = "fr"
    ice: str | None = None


class ClientStatusChangedV1(EventPayload):
    status: Literal["active", "suspended", "closed"]
    reason: str


class ClientContractAddedV1(EventPayload):
    contract_id: UUID
    service: Literal["mobile", "internet", "landline"]


class ClientErasedV1(EventPayload):
    """The client was deleted and its earlier events removed from the store. Carries no personal data."""


# The public type of each event: its topic's aggregate name and its payload. schemas/catalog.py gathers these.
PUBLISHED: dict[type, tuple[str, type[EventPayload]]] = {
    Client.ClientRegistered: ("client", ClientRegisteredV1),
    Client.ClientDetailsUpdated: ("client", ClientDetailsUpdatedV1),
    Client.ClientStatusChanged: ("client", ClientStatusChangedV1),
    Client.ClientContractAdded: ("client", ClientContractAddedV1),
    Client.ClientErased: ("client", ClientErasedV1),
}
