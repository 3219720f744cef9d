"""Payloads of mtf.offer.v1 events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from schemas.events.base import EventPayload


class OfferCreatedV1(EventPayload):
    name: str
    service: Literal["mobile", "internet", "landline"]
    monthly_fee: Decimal
    activation_fee: Decimal
    components: dict[str, Any]


class OfferRetiredV1(EventPayload):
    pass
