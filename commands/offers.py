"""CreateOffer: a sellable plan for one service."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from commands.base import Command, CommandResult
from domain.offer import Offer
from infra.command_context import CommandContext
from infra.event_store import EventStore

Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


class CreateOffer(Command):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    service: Literal["mobile", "internet", "landline"]
    monthly_fee: Amount
    activation_fee: Amount = Decimal("0")
    components: dict[str, Any] = Field(default_factory=dict)


def create_offer(store: EventStore, cmd: CreateOffer, ctx: CommandContext) -> CommandResult:
    offer = Offer.create(
        name=cmd.name,
        service=cmd.service,
        monthly_fee=cmd.monthly_fee,
        activation_fee=cmd.activation_fee,
        components=cmd.components,
    )
    return CommandResult(offer.id, store.save_as(ctx, offer))
