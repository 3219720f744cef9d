"""The Offer aggregate: a sellable plan for exactly one service. Every update is a new version.

Contracts copy the terms of the version they were sold on, so a later version never
changes what an existing contract costs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.catalog import validate_components
from domain.errors import InvalidTransition, NotFound, RuleViolation
from domain.money import mad

SERVICES = ("mobile", "internet", "landline")


class Offer(Aggregate):
    @event("OfferCreated")
    def __init__(
        self,
        name: str,
        service: str,
        family: str,
        monthly_fee: Decimal,
        activation_fee: Decimal,
        components: list[dict[str, Any]],
        valid_from: date | None,
        valid_to: date | None,
    ) -> None:
        self.service = service
        self.status = "active"
        self.deleted = False
        self.terms_version = 1
        self._set_terms(name, family, monthly_fee, activation_fee, components, valid_from, valid_to)

    @classmethod
    def create(cls, *, service: str, **terms: Any) -> Offer:
        if service not in SERVICES:
            raise RuleViolation(f"service must be one of {SERVICES}", code="unknown_service", field="service")
        return cls(service=service, **_checked_terms(service, **terms))

    def update(self, **terms: Any) -> None:
        self._require_not_deleted("update")
        self._updated(terms_version=self.terms_version + 1, **_checked_terms(self.service, **terms))

    def retire(self) -> None:
        self._require_not_deleted("retire")
        if self.status == "retired":
            raise InvalidTransition(
                "offer is already retired", code="offer_already_retired", current_status=self.status
            )
        self._retired()

    def delete(self) -> None:
        self._require_not_deleted("delete")
        self._deleted()

    def is_sellable_on(self, day: date) -> bool:
        if self.deleted or self.status != "active":
            return False
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def require_sellable_on(self, day: date, what: str) -> None:
        """`offer_not_sellable` unless the offer is on sale on `day` (a line's start date, a plan change's
        effective date)."""
        if not self.is_sellable_on(day):
            raise RuleViolation(
                f"this offer is not on sale on the {what}", code="offer_not_sellable", field="offer_id"
            )

    @staticmethod
    def named(candidate: object, offer_id: UUID) -> Offer:
        """`candidate` (what was loaded under `offer_id`) as an offer, or `offer_not_found`: nothing was
        loaded, something else was, or the offer is deleted."""
        if not isinstance(candidate, Offer) or candidate.deleted:
            raise NotFound(f"offer {offer_id} not found", code="offer_not_found", id=str(offer_id))
        return candidate

    def _require_not_deleted(self, action: str) -> None:
        if self.deleted:
            raise InvalidTransition(f"cannot {action} a deleted offer", code="offer_deleted", action=action)

    def _set_terms(self, name, family, monthly_fee, activation_fee, components, valid_from, valid_to) -> None:
        self.name = name
        self.family = family
        self.monthly_fee = monthly_fee
        self.activation_fee = activation_fee
        self.components = components
        self.valid_from = valid_from
        self.valid_to = valid_to

    @event("OfferUpdated")
    def _updated(
        self, terms_version: int, name, family, monthly_fee, activation_fee, components, valid_from, valid_to
    ) -> None:
        self.terms_version = terms_version
        self._set_terms(name, family, monthly_fee, activation_fee, components, valid_from, valid_to)

    @event("OfferRetired")
    def _retired(self) -> None:
        self.status = "retired"

    @event("OfferDeleted")
    def _deleted(self) -> None:
        self.deleted = True


def _checked_terms(
    service: str,
    *,
    name: str,
    family: str,
    monthly_fee: Decimal,
    activation_fee: Decimal,
    components: list[dict[str, Any]],
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> dict[str, Any]:
    if not name.strip():
        raise RuleViolation("offer name is required", code="offer_name_required", field="name")
    if not family.strip():
        raise RuleViolation("offer family is required", code="offer_family_required", field="family")
    if monthly_fee <= 0:
        raise RuleViolation("monthly fee must be > 0", code="monthly_fee_not_positive", field="monthly_fee")
    if activation_fee < 0:
        raise RuleViolation(
            "activation fee must be >= 0", code="activation_fee_negative", field="activation_fee"
        )
    if valid_from and valid_to and valid_to < valid_from:
        raise RuleViolation(
            "valid_to is before valid_from", code="validity_window_inverted", field="valid_to"
        )
    return {
        "name": name.strip(),
        "family": family.strip().lower(),
        "monthly_fee": mad(monthly_fee),
        "activation_fee": mad(activation_fee),
        "components": validate_components(service, components),
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
