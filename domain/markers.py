"""Marker aggregates: deterministic ids that turn cross-aggregate uniqueness into a write collision.

Two commands that must not both succeed each try to create the same marker at version 1;
the event store's unique key lets exactly one of them commit. No check-then-insert.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict
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


class NumberReservation(Aggregate):
    """One service number. Reserved by at most one subscriber at a time; its id is derived from the number."""

    @event("NumberReserved")
    def __init__(self, id: UUID, number: str, kind: str, subscriber_id: UUID) -> None:  # noqa: A002
        self.number = number
        self.kind = kind
        self.subscriber_id: UUID | None = subscriber_id

    @classmethod
    def reserve(cls, number: str, kind: str, subscriber_id: UUID) -> NumberReservation:
        return cls(id=cls.id_for(number), number=number, kind=kind, subscriber_id=subscriber_id)

    @staticmethod
    def id_for(number: str) -> UUID:
        return uuid5(MTF_NAMESPACE, f"number/{number}")

    @property
    def is_free(self) -> bool:
        return self.subscriber_id is None

    def reserve_again(self, subscriber_id: UUID) -> None:
        if not self.is_free:
            raise Conflict("the number is assigned", code="number_taken", number=self.number)
        self._reserved_again(subscriber_id=subscriber_id)

    def release(self) -> None:
        if self.subscriber_id is not None:
            self._released()

    @event("NumberReservedAgain")
    def _reserved_again(self, subscriber_id: UUID) -> None:
        self.subscriber_id = subscriber_id

    @event("NumberReleased")
    def _released(self) -> None:
        self.subscriber_id = None


class IdempotencyRecord(Aggregate):
    """The first outcome of a request sent with an Idempotency-Key, saved with the request's own events."""

    @event("IdempotentRequestRecorded")
    def __init__(self, id: UUID, request_hash: str, result_id: UUID, outcome: str) -> None:  # noqa: A002
        self.request_hash = request_hash
        self.result_id = result_id
        self.outcome = outcome

    @staticmethod
    def id_for(scope: str, key: str) -> UUID:
        return uuid5(MTF_NAMESPACE, f"idempotency/{scope}/{key}")
