"""ProvisionContract: binds a client to the current version of a sellable offer."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID, uuid4

from commands.base import Command, CommandResult
from commands.idempotency import IdempotencyKey, earlier_result, record_for
from commands.numbers import pick_free_number
from commands.retry import retry_on_conflict
from domain.client import Client
from domain.contract import Contract
from domain.errors import InvalidTransition, NotFound, RuleViolation
from domain.markers import OfferUsageMarker
from domain.numbers import number_kind_for
from domain.offer import Offer
from domain.subscriber import Subscriber
from infra.clock import Clock
from infra.command_context import CommandContext
from infra.event_store import EventStore


class ProvisionContract(Command):
    client_id: UUID
    offer_id: UUID
    commitment_months: Literal[0, 12, 24] = 0
    start_date: date | None = None


@retry_on_conflict
def provision_contract(
    store: EventStore, clock: Clock, cmd: ProvisionContract, ctx: CommandContext, idempotency: IdempotencyKey | None = None
) -> CommandResult:
    if (first := earlier_result(store, idempotency, cmd)) is not None:
        return first
    client = store.load(Client, cmd.client_id, what="client")
    offer = store.load(Offer, cmd.offer_id, what="offer")
    if client.status != "active":
        raise InvalidTransition("only an active client can take a new contract", code="client_not_active", current_status=client.status)
    if offer.deleted:
        raise NotFound(f"offer {offer.id} not found", code="offer_not_found", id=str(offer.id))
    today = clock.today()
    start = cmd.start_date or today
    if start < today:
        raise RuleViolation("a contract cannot start in the past", code="start_date_in_past", field="start_date")
    if not offer.is_sellable_on(start):
        raise RuleViolation("this offer is not on sale on the start date", code="offer_not_sellable", field="offer_id")
    line_id = uuid4()
    reservation = pick_free_number(store, number_kind_for(offer.service), line_id)
    line = Subscriber(id=line_id, client_id=client.id, service=offer.service, number=reservation.number)
    contract = Contract.provision(
        client_id=client.id,
        subscriber_id=line.id,
        number=reservation.number,
        offer_id=offer.id,
        offer_version=offer.terms_version,
        offer_name=offer.name,
        service=offer.service,
        monthly_fee=offer.monthly_fee,
        activation_fee=offer.activation_fee,
        start_date=start,
        commitment_months=cmd.commitment_months,
    )
    contract.activate(on=start)
    client.add_contract(contract.id, offer.service)
    first_sale = [] if store.exists(OfferUsageMarker.id_for(offer.id)) else [OfferUsageMarker(offer_id=offer.id, outcome="sold")]
    once = record_for(idempotency, cmd, contract.id)
    return CommandResult(contract.id, store.save_as(ctx, contract, client, line, reservation, *first_sale, *once))
