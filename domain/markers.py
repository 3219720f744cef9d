"""Marker aggregates: deterministic ids that turn cross-aggregate uniqueness into a write collision.

Two commands that must not both succeed each try to create the same marker at version 1;
the event store's unique key lets exactly one of them commit. No check-then-insert.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.identity import MTF_NAMESPACE


class CinRegistration(Aggregate):
    """Holds a CIN for one client while that client exists. The CIN itself is not stored here:
    the id is derived from it, and the marker is removed with the client's history on erasure."""

    @event("CinRegistered")
    def __init__(self, id: UUID, client_id: UUID) -> None:  # noqa: A002 - eventsourcing's explicit-id parameter
        self.client_id = client_id

    @classmethod
    def hold(cls, cin: str, client_id: UUID) -> CinRegistration:
        return cls(id=cls.id_for(cin), client_id=client_id)

    @staticmethod
    def id_for(cin: str) -> UUID:
        return uuid5(MTF_NAMESPACE, f"cin/{cin}")


class OfferUsageMarker(Aggregate):
    """Settles, once, whether an offer was ever sold (then it can never be deleted) or deleted first."""

    @staticmethod
    def create_id(offer_id: UUID, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"offer-usage/{offer_id}")

    @event("OfferUsageMarked")
    def __init__(self, offer_id: UUID, outcome: str) -> None:
        self.outcome = outcome  # "sold" or "deleted"

    @staticmethod
    def id_for(offer_id: UUID) -> UUID:
        return OfferUsageMarker.create_id(offer_id)
