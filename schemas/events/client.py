"""Payloads of mtf.client.v1 events. CIN, name, email, address and phone are personal data: published
masked (schemas/personal_data.py); in full only on the compacted mtf.client-pii.v1."""

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


class ClientStatusChangedV2(ClientStatusChangedV1):
    """v2 adds `reason_code`. Messages published before it are v1 (`dataschema` ...:v1): read them as v2
    with the code `other`, as this system's own consumers do (schemas/envelopes.py, `upcast`)."""

    reason_code: Literal["customer_request", "non_payment", "fraud", "deceased", "other"]


class ClientContractAddedV1(EventPayload):
    contract_id: UUID
    service: Literal["mobile", "internet", "landline"]


class ClientErasedV1(EventPayload):
    """The client was erased: its data key is destroyed, so the personal fields of its earlier events read
    `[erased]` from now on (events from before crypto-shredding were removed instead). No personal data."""


# The public type of each event: its topic's aggregate name and its payload. schemas/catalog.py gathers these.
PUBLISHED: dict[type, tuple[str, type[EventPayload]]] = {
    Client.ClientRegistered: ("client", ClientRegisteredV1),
    Client.ClientDetailsUpdated: ("client", ClientDetailsUpdatedV1),
    Client.ClientStatusChanged: ("client", ClientStatusChangedV2),
    Client.ClientContractAdded: ("client", ClientContractAddedV1),
    Client.ClientErased: ("client", ClientErasedV1),
}

# Earlier versions of an event, still on the topic in messages published before the current one.
EARLIER: dict[type, dict[int, type[EventPayload]]] = {Client.ClientStatusChanged: {1: ClientStatusChangedV1}}
