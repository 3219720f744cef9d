"""GrantDiscount and EndDiscount: reductions of recurring fees that billing applies as negative lines."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from commands.base import Command, CommandResult, PeriodText, PositiveAmount
from domain.client import Client
from domain.contract import Contract
from domain.discount import Discount
from domain.errors import NotFound
from domain.period import Period
from infra.eventstore.port import EventStore
from infra.kernel.command_context import CommandContext


class GrantDiscount(Command):
    client_id: UUID
    contract_id: UUID | None = Field(
        default=None, description="Only this contract; the whole client when omitted."
    )
    kind: Literal["percent", "fixed"]
    value: PositiveAmount
    from_period: PeriodText
    to_period: PeriodText | None = None
    label: Annotated[str, StringConstraints(min_length=1, max_length=120)]


class EndDiscount(Command):
    last_period: PeriodText


def grant_discount(store: EventStore, cmd: GrantDiscount, ctx: CommandContext) -> CommandResult:
    client = store.load(Client, cmd.client_id, what="client")
    if cmd.contract_id is not None:
        contract = store.load(Contract, cmd.contract_id, what="contract")
        if contract.client_id != client.id:
            raise NotFound(
                f"contract {cmd.contract_id} not found for this client",
                code="contract_not_found",
                id=str(cmd.contract_id),
            )
    discount = Discount.grant(
        client_id=client.id,
        contract_id=cmd.contract_id,
        kind=cmd.kind,
        value=cmd.value,
        label=cmd.label,
        from_period=Period.parse(cmd.from_period),
        to_period=Period.parse(cmd.to_period) if cmd.to_period else None,
    )
    return CommandResult(discount.id, store.save_as(ctx, discount))


def end_discount(
    store: EventStore, discount_id: UUID, cmd: EndDiscount, ctx: CommandContext
) -> CommandResult:
    discount = store.load(Discount, discount_id, what="discount")
    discount.end_after(Period.parse(cmd.last_period))
    return CommandResult(discount.id, store.save_as(ctx, discount))
