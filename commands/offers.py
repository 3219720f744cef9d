"""Catalog commands: CreateOffer, UpdateOffer, RetireOffer, DeleteOffer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from commands.base import Amount, Command, CommandResult
from domain.errors import Conflict
from domain.markers import OfferUsageMarker
from domain.offer import Offer
from infra.eventstore.port import ConcurrencyConflict, EventStore
from infra.kernel.command_context import CommandContext

Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Family = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class OfferTerms(Command):
    name: Name
    family: Family
    monthly_fee: Amount
    activation_fee: Amount = Decimal("0")
    components: list[dict[str, Any]] = Field(max_length=10)
    valid_from: date | None = None
    valid_to: date | None = None

    def terms(self) -> dict[str, Any]:
        return self.model_dump(exclude={"service"})


class CreateOffer(OfferTerms):
    service: Literal["mobile", "internet", "landline"]


class UpdateOffer(OfferTerms):
    """Replaces the terms; the offer gets a new version. The service cannot change."""


def create_offer(store: EventStore, cmd: CreateOffer, ctx: CommandContext) -> CommandResult:
    offer = Offer.create(service=cmd.service, **cmd.terms())
    return CommandResult(offer.id, store.save_as(ctx, offer))


def update_offer(store: EventStore, offer_id: UUID, cmd: UpdateOffer, ctx: CommandContext) -> CommandResult:
    offer = store.load(Offer, offer_id, what="offer")
    offer.update(**cmd.terms())
    return CommandResult(offer.id, store.save_as(ctx, offer))


def retire_offer(store: EventStore, offer_id: UUID, ctx: CommandContext) -> CommandResult:
    offer = store.load(Offer, offer_id, what="offer")
    offer.retire()
    return CommandResult(offer.id, store.save_as(ctx, offer))


def delete_offer(store: EventStore, offer_id: UUID, ctx: CommandContext) -> CommandResult:
    """Refused once any contract has used any version: the first sale and the delete race for one marker."""
    offer = store.load(Offer, offer_id, what="offer")
    blocked = Conflict(
        "a contract has used this offer; retire it instead",
        code="offer_delete_blocked",
        offer_id=str(offer_id),
    )
    if store.exists(OfferUsageMarker.id_for(offer_id)):
        raise blocked
    offer.delete()
    try:
        position = store.save_as(ctx, offer, OfferUsageMarker(offer_id=offer_id, outcome="deleted"))
    except ConcurrencyConflict:
        if store.exists(OfferUsageMarker.id_for(offer_id)):
            raise blocked from None
        raise
    return CommandResult(offer.id, position)
