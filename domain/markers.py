"""Marker aggregates: deterministic ids that turn cross-aggregate uniqueness into a write collision.

Two commands that must not both succeed each try to create the same marker at version 1;
the event store's unique key lets exactly one of them commit. No check-then-insert.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict
from domain.identity import MTF_NAMESPACE


class CinRegistration(Aggregate):
    """Holds a CIN for one client while that client exists. The CIN itself is not stored here: the id
    is derived from it. Erasing the client releases the CIN, which a new registration may take again."""

    @event("CinRegistered")
    def __init__(self, id: UUID, client_id: UUID) -> None:  # noqa: A002 - eventsourcing's explicit-id parameter
        self.client_id: UUID | None = client_id

    @classmethod
    def hold(cls, cin: str, client_id: UUID) -> CinRegistration:
        return cls(id=cls.id_for(cin), client_id=client_id)

    @classmethod
    def claim(cls, found: object, cin: str, client_id: UUID) -> CinRegistration:
        """The marker that holds `cin` for `client_id`: a new one, or `found` (the stored marker, if any)
        taken again after its client was erased."""
        if isinstance(found, CinRegistration):
            if held(found):
                raise Conflict("a client with this CIN already exists", code="client_already_exists")
            found._registered_again(client_id=client_id)
            return found
        return cls.hold(cin, client_id)

    @staticmethod
    def id_for(cin: str) -> UUID:
        return uuid5(MTF_NAMESPACE, f"cin/{cin}")

    def release(self) -> None:
        if self.client_id is not None:
            self._released()

    @event("CinReleased")
    def _released(self) -> None:
        self.client_id = None

    @event("CinRegisteredAgain")
    def _registered_again(self, client_id: UUID) -> None:
        self.client_id = client_id


def held(marker: object) -> bool:
    """Whether a loaded marker holds its CIN for a client (an erased client's CIN is free again)."""
    return isinstance(marker, CinRegistration) and marker.client_id is not None


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
    """One service number, its id derived from the number. Assigned to at most one subscriber at a time.

    A free number may also be held, until a given time, for one self-service draft: the visitor sees the number
    before confirming, and the contract gets that number. While the hold lasts nobody else may take the number;
    once it has passed, the number is free again, but only its holder can take it back without asking for it by
    name (allocation draws only numbers that were never recorded)."""

    @event("NumberReserved")
    def __init__(self, id: UUID, number: str, kind: str, subscriber_id: UUID | None = None) -> None:  # noqa: A002
        self.number = number
        self.kind = kind
        self.subscriber_id: UUID | None = subscriber_id
        self.held_for: str | None = None
        self.held_until: datetime | None = None

    class NumberHeld(Aggregate.Created):
        """Created held for a draft: no subscriber yet."""

        number: str
        kind: str
        holder: str
        until: datetime

        def apply(self, aggregate: NumberReservation) -> None:  # type: ignore[override]
            aggregate.held_for, aggregate.held_until = self.holder, self.until

    @classmethod
    def reserve(cls, number: str, kind: str, subscriber_id: UUID) -> NumberReservation:
        return cls(id=cls.id_for(number), number=number, kind=kind, subscriber_id=subscriber_id)

    @classmethod
    def hold_new(cls, number: str, kind: str, holder: str, until: datetime) -> NumberReservation:
        return cls._create(
            cls.NumberHeld, id=cls.id_for(number), number=number, kind=kind, holder=holder, until=until
        )

    @staticmethod
    def id_for(number: str) -> UUID:
        return uuid5(MTF_NAMESPACE, f"number/{number}")

    @property
    def is_free(self) -> bool:
        return self.subscriber_id is None

    def held_by_other(self, holder: str | None, now: datetime) -> bool:
        return (
            self.held_for is not None
            and self.held_for != holder
            and self.held_until is not None
            and self.held_until > now
        )

    def may_be_taken_by(self, holder: str | None, now: datetime) -> bool:
        return self.is_free and not self.held_by_other(holder, now)

    def reserve_again(self, subscriber_id: UUID, now: datetime, holder: str | None = None) -> None:
        """Assigns the number to a subscriber: a free number, not held for someone else's draft."""
        if not self.may_be_taken_by(holder, now):
            raise Conflict("the number is assigned", code="number_taken", number=self.number)
        self._reserved_again(subscriber_id=subscriber_id)

    def hold(self, holder: str, until: datetime, now: datetime) -> None:
        """Holds (or holds longer) a free number for a draft."""
        if not self.may_be_taken_by(holder, now):
            raise Conflict("the number is assigned", code="number_taken", number=self.number)
        self._held_again(holder=holder, until=until)

    def release_hold(self, holder: str) -> None:
        if self.is_free and self.held_for == holder:
            self._hold_released()

    def release(self) -> None:
        if self.subscriber_id is not None:
            self._released()

    @event("NumberReservedAgain")
    def _reserved_again(self, subscriber_id: UUID) -> None:
        self.subscriber_id = subscriber_id
        self.held_for = self.held_until = None

    @event("NumberHeldAgain")
    def _held_again(self, holder: str, until: datetime) -> None:
        self.held_for, self.held_until = holder, until

    @event("NumberHoldReleased")
    def _hold_released(self) -> None:
        self.held_for = self.held_until = None

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
