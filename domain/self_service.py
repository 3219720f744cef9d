"""What a verified self-service visitor may do with a contract: the plan changes open to it, and from when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.booking import latest_bookable
from domain.commitment import commitment_end
from domain.contract import classify_change


def legacy_reference(contract_id: UUID, start_date: date) -> str:
    """The reference printed on contracts provisioned before references were drawn at random. It is derived from the
    contract id, which is public (Kafka, API lists): a reference to quote, never a way in."""
    return f"CT-{start_date.year}-{contract_id.hex[:8].upper()}"


@dataclass(frozen=True)
class PlanOption:
    offer: dict[str, Any]
    change: str  # upgrade, downgrade or lateral, by monthly fee as the contract rules class it
    earliest_effective_date: date


def plan_options(
    *,
    service: str,
    offer_id: UUID,
    monthly_fee: Decimal,
    start_date: date,
    commitment_months: int,
    offers: list[dict[str, Any]],
    today: date,
) -> list[PlanOption]:
    """The sellable offers of the contract's service other than its own, each with the first day it may take effect:
    today, or for a downgrade the end of the commitment (downgrades are refused during it). A downgrade whose first
    day lies beyond the booking horizon cannot be requested yet, so it is not an option yet."""
    try:
        free_from: date | None = max(today, commitment_end(start_date, commitment_months))
    except (
        ValueError
    ):  # a commitment that would end after the year 9999 (a contract booked before the horizon rule)
        free_from = None
    if free_from and free_from > latest_bookable(today):
        free_from = None
    options = []
    for offer in offers:
        if offer["service"] != service or offer["offer_id"] == offer_id:
            continue
        change = classify_change(monthly_fee, offer["monthly_fee"])
        if change == "downgrade" and free_from is None:
            continue
        options.append(PlanOption(offer, change, free_from if change == "downgrade" else today))
    return options
