"""A contract's plan timeline: which offer version it is billed on, from which day.

One fold for every reader of plan changes: the Contract aggregate, billing's contract history and
the contract summary read model all apply a change with `changed`, and read the plan of a day with
`in_effect_on`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any, Callable, Mapping, Sequence, TypeVar
from uuid import UUID

T = TypeVar("T")


@dataclass(frozen=True)
class PlanTerms:
    """The terms a contract is billed on from `effective_from`: an offer version and its monthly fee."""

    offer_id: UUID
    offer_version: int
    offer_name: str
    monthly_fee: Decimal
    effective_from: date

    @classmethod
    def of(cls, fields: Mapping[str, Any], effective_from: date) -> PlanTerms:
        """From a ContractProvisioned or ContractPlanChanged event's fields."""
        return cls(
            fields["offer_id"],
            fields["offer_version"],
            fields["offer_name"],
            Decimal(fields["monthly_fee"]),
            effective_from,
        )


def changed(
    timeline: Sequence[T], plan: T, effective_from: Callable[[T], Any] = attrgetter("effective_from")
) -> list[T]:
    """The timeline after a plan change: the new plan replaces every plan in effect on or after its day
    (a later change scheduled before is undone), and lasts until the next change."""
    starts = effective_from(plan)
    return [p for p in timeline if effective_from(p) < starts] + [plan]


def in_effect_on(timeline: Sequence[PlanTerms], day: date) -> PlanTerms:
    """The plan in effect on `day`; the first plan for a day before it."""
    current = timeline[0]
    for plan in timeline:
        if plan.effective_from <= day:
            current = plan
    return current


def intervals(timeline: Sequence[PlanTerms]) -> list[tuple[PlanTerms, date, date | None]]:
    """Each plan with the half-open [from, to) days it is in effect; `to` None is open-ended."""
    ordered = sorted(timeline, key=attrgetter("effective_from"))
    return [
        (p, p.effective_from, ordered[i + 1].effective_from if i + 1 < len(ordered) else None)
        for i, p in enumerate(ordered)
    ]
