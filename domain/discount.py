"""The Discount aggregate: a percent or fixed reduction of recurring fees, per contract or per client."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.billing import DiscountTerms
from domain.errors import InvalidTransition, RuleViolation
from domain.money import mad
from domain.period import Period


class Discount(Aggregate):
    @event("DiscountGranted")
    def __init__(
        self,
        client_id: UUID,
        contract_id: UUID | None,
        kind: str,
        value: Decimal,
        from_period: str,
        to_period: str | None,
        label: str,
    ) -> None:
        self.client_id = client_id
        self.contract_id = contract_id
        self.kind = kind
        self.value = value
        self.from_period = from_period
        self.to_period = to_period
        self.label = label

    @classmethod
    def grant(
        cls, *, kind: str, value: Decimal, from_period: Period, to_period: Period | None, **terms
    ) -> Discount:
        if kind == "percent" and not Decimal(0) < value <= Decimal(100):
            raise RuleViolation(
                "a percent discount is above 0 and at most 100", code="invalid_discount_value", field="value"
            )
        if kind == "fixed" and mad(value) <= 0:
            raise RuleViolation(
                "a fixed discount is a positive amount", code="invalid_discount_value", field="value"
            )
        if to_period is not None and to_period < from_period:
            raise RuleViolation(
                "to_period is before from_period", code="invalid_discount_window", field="to_period"
            )
        value = value if kind == "percent" else mad(value)
        return cls(
            kind=kind,
            value=value,
            from_period=str(from_period),
            to_period=str(to_period) if to_period else None,
            **terms,
        )

    def end_after(self, last_period: Period) -> None:
        """No longer applies after `last_period` (periods already billed keep their discount lines)."""
        if last_period < Period.parse(self.from_period):
            raise RuleViolation(
                "the discount would end before it starts", code="invalid_discount_window", field="last_period"
            )
        if self.to_period is not None and Period.parse(self.to_period) <= last_period:
            raise InvalidTransition(
                "the discount already ends by then", code="discount_already_ends", to_period=self.to_period
            )
        self._ended(last_period=str(last_period))

    @event("DiscountEnded")
    def _ended(self, last_period: str) -> None:
        self.to_period = last_period

    def terms(self) -> DiscountTerms:
        return terms_of(self.id, vars(self))


def terms_of(discount_id: UUID, state: dict) -> DiscountTerms:
    return DiscountTerms(
        discount_id=discount_id,
        client_id=state["client_id"],
        contract_id=state["contract_id"],
        kind=state["kind"],
        value=Decimal(state["value"]),
        from_period=Period.parse(state["from_period"]),
        to_period=Period.parse(state["to_period"]) if state["to_period"] else None,
        label=state["label"],
    )
