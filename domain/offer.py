"""The Offer aggregate: a sellable plan for exactly one service. Each change is a new version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidTransition, RuleViolation
from domain.money import mad

SERVICES = ("mobile", "internet", "landline")


class Offer(Aggregate):
    @event("OfferCreated")
    def __init__(
        self,
        name: str,
        service: str,
        monthly_fee: Decimal,
        activation_fee: Decimal,
        components: dict[str, Any],
    ) -> None:
        self.name = name
        self.service = service
        self.monthly_fee = monthly_fee
        self.activation_fee = activation_fee
        self.components = components
        self.status = "active"
        self.terms_version = 1

    @classmethod
    def create(
        cls, name: str, service: str, monthly_fee: Decimal, activation_fee: Decimal, components: dict[str, Any]
    ) -> Offer:
        _check_terms(name, service, monthly_fee, activation_fee)
        return cls(
            name=name.strip(),
            service=service,
            monthly_fee=mad(monthly_fee),
            activation_fee=mad(activation_fee),
            components=components,
        )

    @property
    def is_sellable(self) -> bool:
        return self.status == "active"

    def retire(self) -> None:
        if self.status == "retired":
            raise InvalidTransition("offer is already retired", code="offer_already_retired", status=self.status)
        self._retired()

    @event("OfferRetired")
    def _retired(self) -> None:
        self.status = "retired"


def _check_terms(name: str, service: str, monthly_fee: Decimal, activation_fee: Decimal) -> None:
    if not name.strip():
        raise RuleViolation("offer name is required", code="offer_name_required", field="name")
    if service not in SERVICES:
        raise RuleViolation(f"service must be one of {SERVICES}", code="unknown_service", field="service")
    if monthly_fee <= 0:
        raise RuleViolation("monthly fee must be > 0", code="monthly_fee_not_positive", field="monthly_fee")
    if activation_fee < 0:
        raise RuleViolation("activation fee must be >= 0", code="activation_fee_negative", field="activation_fee")
