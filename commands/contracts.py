"""ProvisionContract: a new line, or a plan change on an existing contract, decided by the provisioning rules
(docs/rules.md)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any, Literal, NamedTuple
from uuid import UUID, uuid4

from pydantic import ConfigDict, Field, model_validator

from commands.base import Command, CommandResult, exactly_one_of
from commands.clients import RegisterClient
from commands.contract_documents import issue_contract_document
from commands.idempotency import IdempotencyKey, earlier_result, record_for
from commands.numbers import NumberHold, default_draw, pick_free_number, take_held_number
from commands.partners import partner_of, require_brought
from commands.retry import retry_on_conflict
from domain.booking import bookable
from domain.client import Client
from domain.contract import Contract
from domain.errors import Conflict, InvalidTransition, NotFound, RuleViolation
from domain.identity import normalize_cin
from domain.markers import CinRegistration, IdempotencyRecord, NumberReservation, OfferUsageMarker, held
from domain.numbers import NUMBER_KINDS, normalize_number, number_kind_for
from domain.offer import Offer
from domain.operator import Operator
from domain.provisioning import ActiveLine, decide, needs_active_lines
from domain.subscriber import Subscriber
from infra.eventstore.port import EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext


class ProvisionContract(Command):
    model_config = ConfigDict(json_schema_extra=exactly_one_of("client_id", "client"))

    client_id: UUID | None = None
    client: RegisterClient | None = Field(default=None, description="A new client, registered inline.")
    offer_id: UUID
    commitment_months: Literal[0, 12, 24] = 0
    start_date: date | None = Field(
        default=None, description="Start of a new line, or effective date of a plan change."
    )
    intent: Literal["upgrade", "new_line"] | None = None
    target_contract_id: UUID | None = None
    number: Annotated[str, Field(max_length=20)] | None = Field(
        default=None, description="Mobile only: keep this number."
    )

    @model_validator(mode="after")
    def _one_client(self) -> ProvisionContract:
        if (self.client_id is None) == (self.client is None):
            raise ValueError("give exactly one of client_id (an existing client) or client (a new one)")
        return self


class Provisioned(NamedTuple):
    result: CommandResult
    decision: str  # "new_line" or "plan_change"


@retry_on_conflict
def provision_contract(
    store: EventStore,
    clock: Clock,
    operator: Operator,
    cmd: ProvisionContract,
    ctx: CommandContext,
    idempotency: IdempotencyKey | None = None,
    hold: NumberHold | None = None,
) -> Provisioned:
    """`hold`: a number held for the self-service draft this comes from, which a new line without a kept
    number takes."""
    parties = _parties(store, cmd, idempotency)
    if idempotency and (first := earlier_result(store, idempotency, cmd, parties.earlier)) is not None:
        return Provisioned(first.result, first.outcome)
    parties.check()
    client, newcomers = _client(cmd, parties, ctx)
    offer = parties.offer
    day = _day(cmd.start_date, clock)
    number = _ported_number(cmd.number, offer.service)
    active = (
        _active_lines(store, client, offer.service)
        if needs_active_lines(intent=cmd.intent, target=cmd.target_contract_id)
        else []
    )
    decision = decide(intent=cmd.intent, target=cmd.target_contract_id, number=number, active=active)
    first_sale = [] if parties.sold else [OfferUsageMarker(offer_id=offer.id, outcome="sold")]
    if decision.kind == "plan_change":
        aggregates = [_change_plan(store, clock, client, offer, decision.contract_id, day, ctx), *first_sale]
    else:
        offer.require_sellable_on(day, "start date")
        reservation = _reservation(store, clock, number, number_kind_for(offer.service), parties, hold)
        aggregates = (
            _new_line(reservation, client, offer, cmd.commitment_months, day, partner_of(ctx))
            + newcomers
            + first_sale
        )
    contract = aggregates[0]
    reason = "plan_change" if decision.kind == "plan_change" else "provisioning"
    document = issue_contract_document(clock, operator, contract, client, offer, reason, day)
    once = record_for(idempotency, cmd, contract.id, decision.kind)
    return Provisioned(
        CommandResult(contract.id, store.save_as(ctx, *aggregates, *once, alongside=[document])),
        decision.kind,
    )


class Parties(NamedTuple):
    """What provisioning reads, in one query, so that it all comes from one snapshot."""

    cmd: ProvisionContract
    found: dict[UUID, Any]
    earlier: IdempotencyRecord | None  # the record of a request with the same Idempotency-Key
    drawn: dict[
        str, str
    ]  # a number drawn per kind, looked up with the rest, for a new line without a kept number

    @property
    def offer(self) -> Offer:
        return self.found[self.cmd.offer_id]

    @property
    def client(self) -> Client | None:  # None when the client is registered inline
        return self.found.get(self.cmd.client_id) if self.cmd.client_id else None

    @property
    def sold(self) -> bool:  # whether the offer has been sold before (its usage marker exists)
        return OfferUsageMarker.id_for(self.cmd.offer_id) in self.found

    def free_number(self, kind: str) -> str | None:
        """The number drawn for this kind, if no reservation held it when the parties were read."""
        number = self.drawn.get(kind)
        return number if number and NumberReservation.id_for(number) not in self.found else None

    def check(self) -> None:
        client_id, offer_id = self.cmd.client_id, self.cmd.offer_id
        if client_id and not isinstance(self.client, Client):
            raise NotFound(f"client {client_id} not found", code="client_not_found", id=str(client_id))
        Offer.named(self.found.get(offer_id), offer_id)


def _parties(store: EventStore, cmd: ProvisionContract, idempotency: IdempotencyKey | None) -> Parties:
    """The offer, its usage marker, the client (or the holder of a new client's CIN), any earlier
    request's record and the reservations of two drawn numbers, read in one query.

    The offer's service, and so the kind of number a new line needs, is known only after the read:
    one number of each kind is drawn before it, which spares the new line a round trip of its own."""
    cin_holder = CinRegistration.id_for(normalize_cin(cmd.client.cin)) if cmd.client else None
    drawn = {kind: default_draw(kind) for kind in NUMBER_KINDS} if cmd.number is None else {}
    optional = [
        i
        for i in (cmd.client_id, cin_holder, idempotency.record_id if idempotency else None)
        if i is not None
    ]
    reservations = [NumberReservation.id_for(number) for number in drawn.values()]
    found = store.load_any([cmd.offer_id, OfferUsageMarker.id_for(cmd.offer_id), *optional, *reservations])
    earlier = found.get(idempotency.record_id) if idempotency else None
    return Parties(cmd, found, earlier if isinstance(earlier, IdempotencyRecord) else None, drawn)


def _client(cmd: ProvisionContract, parties: Parties, ctx: CommandContext) -> tuple[Client, list]:
    if parties.client is not None:
        client = parties.client
        require_brought(ctx, client, "client")
        if client.status != "active":
            raise InvalidTransition(
                "only an active client can take a contract",
                code="client_not_active",
                current_status=client.status,
            )
        return client, []
    details = cmd.client
    cin = normalize_cin(details.cin)
    if held(holder := parties.found.get(CinRegistration.id_for(cin))):
        raise Conflict(
            "a client with this CIN already exists: reference it by client_id",
            code="client_already_exists",
            client_id=str(holder.client_id),
        )
    client = Client(
        cin=cin,
        full_name=details.full_name,
        email=details.email,
        address=details.address,
        phone=details.phone,
        language=details.language,
        ice=details.ice,
        brought_by=partner_of(ctx),
    )
    return client, [CinRegistration.claim(holder, cin, client.id)]


def _day(requested: date | None, clock: Clock) -> date:
    return bookable(requested or clock.today(), clock.today())


def _ported_number(raw: str | None, service: str) -> str | None:
    if raw is None:
        return None
    if service != "mobile":
        raise RuleViolation(
            "internet and landline lines always get an allocated number",
            code="number_not_allowed_for_service",
            field="number",
        )
    return normalize_number(raw, "mobile")


def _active_lines(store: EventStore, client: Client, service: str) -> list[ActiveLine]:
    ids = [
        UUID(contract_id)
        for contract_id, contract_service in client.contracts.items()
        if contract_service == service
    ]
    contracts = store.load_many(Contract, ids)
    return [
        ActiveLine(c.id, c.number)
        for c in (contracts[i] for i in ids if i in contracts)
        if c.status == "active"
    ]


def _change_plan(
    store: EventStore,
    clock: Clock,
    client: Client,
    offer: Offer,
    contract_id: UUID,
    day: date,
    ctx: CommandContext,
) -> Contract:
    contract = store.load(Contract, contract_id, what="contract")
    require_brought(ctx, contract, "contract")
    if contract.client_id != client.id:
        raise NotFound(
            f"contract {contract_id} not found for this client",
            code="contract_not_found",
            id=str(contract_id),
        )
    contract.change_plan_to(offer, day, clock.today())
    return contract


REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper


def contract_reference() -> str:
    """The reference printed for the customer: 10 random characters (50 bits), never derived from an id."""
    drawn = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"CT-{drawn[:5]}-{drawn[5:]}"


def _new_line(
    reservation: NumberReservation,
    client: Client,
    offer: Offer,
    commitment: int,
    start: date,
    partner: str | None,
) -> list:
    line = Subscriber(
        id=reservation.subscriber_id, client_id=client.id, service=offer.service, number=reservation.number
    )
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
        commitment_months=commitment,
        reference=contract_reference(),
        brought_by=partner,
    )
    contract.activate(on=start)
    client.add_contract(contract.id, offer.service)
    return [contract, client, line, reservation]


def _reservation(
    store: EventStore, clock: Clock, number: str | None, kind: str, parties: Parties, hold: NumberHold | None
) -> NumberReservation:
    """The new line's number, reserved for a new line id: kept, held for the draft, or drawn."""
    line_id = uuid4()
    if number is None and hold is not None:
        return take_held_number(store, hold, kind, line_id, clock.now())
    if number is None:
        free = parties.free_number(kind)
        return (
            NumberReservation.reserve(free, kind, line_id) if free else pick_free_number(store, kind, line_id)
        )
    if not store.exists(NumberReservation.id_for(number)):
        return NumberReservation.reserve(number, kind, line_id)
    reservation = store.load(NumberReservation, NumberReservation.id_for(number), what="number")
    reservation.reserve_again(line_id, clock.now())
    return reservation
