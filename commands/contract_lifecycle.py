"""ActivateContract, SuspendContract, ResumeContract, TerminateContract, ChangePlan.

None of these retries on a concurrency conflict: each acts on the state its caller saw, so a
concurrent change must surface as 409 concurrency_conflict rather than be silently re-applied.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints

from commands.base import Command, CommandResult
from commands.contract_documents import issue_contract_document
from commands.idempotency import IdempotencyKey, earlier_result, record_for
from commands.partners import require_brought
from domain.client import Client
from domain.contract import Contract
from domain.errors import RuleViolation
from domain.markers import NumberReservation, OfferUsageMarker
from domain.offer import Offer
from domain.operator import Operator
from domain.subscriber import Subscriber
from infra.eventstore.port import EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext

Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ActivateContract(Command):
    on: date | None = None


class SuspendContract(Command):
    reason: Reason
    on: date | None = None


class ResumeContract(Command):
    on: date | None = None


class TerminateContract(Command):
    reason: Reason
    on: date | None = None
    early_termination: bool = False


class ChangePlan(Command):
    offer_id: UUID
    effective_date: date


def _day(requested: date | None, clock: Clock, contract: Contract) -> date:
    day = requested or clock.today()
    if day < clock.today():
        raise RuleViolation("the date is in the past", code="date_in_past", field="on")
    if day < contract.start_date:
        raise RuleViolation("the date is before the contract start", code="date_before_start", field="on")
    return day


def _transition(
    store: EventStore, clock: Clock, contract_id: UUID, on: date | None, ctx: CommandContext, act
) -> CommandResult:
    """Load, apply `act(contract, day)`, save: the shape of every simple lifecycle command."""
    contract = store.load(Contract, contract_id, what="contract")
    act(contract, _day(on, clock, contract))
    return CommandResult(contract.id, store.save_as(ctx, contract))


def activate_contract(
    store: EventStore, clock: Clock, contract_id: UUID, cmd: ActivateContract, ctx: CommandContext
) -> CommandResult:
    return _transition(
        store, clock, contract_id, cmd.on, ctx, lambda contract, day: contract.activate(on=day)
    )


def suspend_contract(
    store: EventStore, clock: Clock, contract_id: UUID, cmd: SuspendContract, ctx: CommandContext
) -> CommandResult:
    return _transition(
        store,
        clock,
        contract_id,
        cmd.on,
        ctx,
        lambda contract, day: contract.suspend(on=day, reason=cmd.reason),
    )


def resume_contract(
    store: EventStore, clock: Clock, contract_id: UUID, cmd: ResumeContract, ctx: CommandContext
) -> CommandResult:
    return _transition(store, clock, contract_id, cmd.on, ctx, lambda contract, day: contract.resume(on=day))


def terminate_contract(
    store: EventStore, clock: Clock, contract_id: UUID, cmd: TerminateContract, ctx: CommandContext
) -> CommandResult:
    """Ends the contract; its line closes and its number is released in the same append."""
    contract = store.load(Contract, contract_id, what="contract")
    contract.terminate(
        on=_day(cmd.on, clock, contract), reason=cmd.reason, early_termination=cmd.early_termination
    )
    line = store.load(Subscriber, contract.subscriber_id, what="subscriber")
    number = store.load(NumberReservation, NumberReservation.id_for(contract.number), what="number")
    if line.status != "closed":
        line.change_status("closed", f"contract terminated: {cmd.reason}")
    number.release()
    return CommandResult(contract.id, store.save_as(ctx, contract, line, number))


def change_plan(
    store: EventStore,
    clock: Clock,
    operator: Operator,
    contract_id: UUID,
    cmd: ChangePlan,
    ctx: CommandContext,
    idempotency: IdempotencyKey | None = None,
) -> tuple[CommandResult, str]:
    """With an Idempotency-Key, the same request again answers the first result, its change kind included."""
    contract = store.load(Contract, contract_id, what="contract")
    require_brought(ctx, contract, "contract")
    record_ids = [idempotency.record_id] if idempotency else []
    found = store.load_any([cmd.offer_id, *record_ids])  # the key's record read after the contract
    if idempotency:
        earlier = found.get(idempotency.record_id)
        if (first := earlier_result(store, idempotency, cmd, earlier)) is not None:
            return first.result, first.outcome
    offer = Offer.named(found.get(cmd.offer_id), cmd.offer_id)
    kind = contract.change_plan_to(offer, cmd.effective_date, clock.today())
    client = store.load(Client, contract.client_id, what="client")
    document = issue_contract_document(
        clock, operator, contract, client, offer, "plan_change", cmd.effective_date
    )
    first_sale = (
        []
        if store.exists(OfferUsageMarker.id_for(offer.id))
        else [OfferUsageMarker(offer_id=offer.id, outcome="sold")]
    )
    once = record_for(idempotency, cmd, contract.id, kind)
    position = store.save_as(ctx, contract, *first_sale, *once, alongside=[document])
    return CommandResult(contract.id, position), kind
