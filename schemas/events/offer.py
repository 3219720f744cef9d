"""Payloads of mtf.offer.v1 events."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.offer import Offer
from schemas.events.base import DecimalString, EventPayload, Money


class Component(BaseModel):
    """One service component: data {gb}, calls {hours}, fiber|adsl {mbps}, landline, national|international|phone {hours}."""  # noqa: E501 (published text)

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["data", "calls", "fiber", "adsl", "landline", "national", "international", "phone"]
    gb: DecimalString | None = None
    hours: int | None = None
    mbps: int | None = None


class OfferTerms(EventPayload):
    name: str
    family: str
    monthly_fee: Money
    activation_fee: Money
    components: list[Component]
    valid_from: date | None
    valid_to: date | None


class OfferCreatedV1(OfferTerms):
    service: Literal["mobile", "internet", "landline"]


class OfferUpdatedV1(OfferTerms):
    terms_version: int


class OfferRetiredV1(EventPayload):
    pass


class OfferDeletedV1(EventPayload):
    pass


# The public type of each event: its topic's aggregate name and its payload. schemas/catalog.py gathers these.
PUBLISHED: dict[type, tuple[str, type[EventPayload]]] = {
    Offer.OfferCreated: ("offer", OfferCreatedV1),
    Offer.OfferUpdated: ("offer", OfferUpdatedV1),
    Offer.OfferRetired: ("offer", OfferRetiredV1),
    Offer.OfferDeleted: ("offer", OfferDeletedV1),
}
