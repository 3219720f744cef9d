"""Self-service: a visitor's subscription, reconciled by CIN; and the previews of a subscription and a plan change.

A submission is a ProvisionContract decided by the CIN and the number:
- a CIN nobody holds: a new client with a new line;
- a CIN on file and a number on one of that client's active contracts: a plan change on it;
- a CIN on file and any other number, or none: a new line for that client.
A CIN is not a secret, so the last two need a visitor token for that very client.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Literal, NamedTuple
from uuid import UUID

from pydantic import Field

from commands.base import Command, CommandResult
from commands.clients import Address, Cin, Email, Language, Phone, RegisterClient, Text
from commands.contracts import ProvisionContract, provision_contract
from commands.idempotency import IdempotencyKey, earlier_result
from commands.numbers import NumberHold, held_reservation
from domain.booking import bookable
from domain.client import Client
from domain.contract import Contract
from domain.errors import NotFound, RuleViolation
from domain.identity import normalize_cin
from domain.markers import CinRegistration, IdempotencyRecord, NumberReservation, held
from domain.numbers import normalize_number, number_kind_for
from domain.offer import Offer
from domain.operator import Operator
from domain.plan_timeline import PlanTerms
from infra.eventstore.port import EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext

NEEDS_CONTACT_PHONE = (
    "internet",
    "landline",
)  # an installation visit is arranged by phone; a mobile line is its own contact


class VerificationRequired(Exception):
    """The CIN is on file: only that client, verified, may add to it."""


class SubmitSubscription(Command):
    cin: Cin
    full_name: Text
    email: Email
    address: Address
    phone: Phone = Field(default=None, description="Contact phone; required for internet and landline.")
    offer_id: UUID
    commitment_months: Literal[0, 12, 24] = 0
    number: Annotated[str, Field(max_length=20)] | None = Field(
        default=None,
        description="Mobile: a number to keep. Any service: the number of a line on file, to change its plan.",
    )
    start_date: date | None = Field(
        default=None, description="Start of a new line, or effective date of a plan change; default today."
    )
    language: Language = Field(
        default="fr", description="A new client's documents: French, or Arabic beside the French."
    )


class SubscriptionOutcome(NamedTuple):
    result: CommandResult
    decision: str  # new_line or plan_change
    client_id: UUID
    number: str


def submit_subscription(
    store: EventStore,
    clock: Clock,
    operator: Operator,
    sub: SubmitSubscription,
    ctx: CommandContext,
    key: IdempotencyKey,
    verified_client: UUID | None,
    hold: NumberHold | None = None,
) -> SubscriptionOutcome:
    """`hold`: the number the visitor's draft holds; a new line without a kept number gets it."""
    key = replace(key, request=sub)
    cin = normalize_cin(sub.cin)
    found = store.load_any([key.record_id, sub.offer_id, CinRegistration.id_for(cin)])
    if isinstance(
        record := found.get(key.record_id), IdempotencyRecord
    ):  # before anything the first submission changed
        first = earlier_result(store, key, sub, record)
        return _outcome(store, first.result, first.outcome)
    offer = Offer.named(found.get(sub.offer_id), sub.offer_id)
    _check_contact_phone(offer, sub.phone)
    number = normalize_number(sub.number, number_kind_for(offer.service)) if sub.number else None
    # What does not depend on the CIN is refused before it is looked up, the same for every CIN.
    start = bookable(sub.start_date or clock.today(), clock.today())
    offer.require_sellable_on(start, "start date")
    holder = found.get(CinRegistration.id_for(cin))
    if (
        number is not None
        and _in_use(store, number)
        and (not held(holder) or verified_client != holder.client_id)
    ):
        raise VerificationRequired(
            "a number in use may be submitted only by its verified owner"
        )  # whoever holds the CIN
    if not held(holder):
        details = RegisterClient(
            cin=cin,
            full_name=sub.full_name,
            email=sub.email,
            address=sub.address,
            phone=sub.phone,
            language=sub.language,
        )
        command = ProvisionContract(
            client=details,
            offer_id=sub.offer_id,
            commitment_months=sub.commitment_months,
            start_date=sub.start_date,
            number=sub.number,
            intent="new_line",
        )
    elif verified_client != holder.client_id:
        raise VerificationRequired(str(holder.client_id))
    else:
        command = _for_known_client(store, holder.client_id, offer, sub, number)
    provisioned = provision_contract(store, clock, operator, command, ctx, key, hold)
    return _outcome(store, provisioned.result, provisioned.decision)


def _in_use(store: EventStore, number: str) -> bool:
    reservation = store.load_any([NumberReservation.id_for(number)]).get(NumberReservation.id_for(number))
    return isinstance(reservation, NumberReservation) and not reservation.is_free


def _for_known_client(
    store: EventStore, client_id: UUID, offer: Offer, sub: SubmitSubscription, number: str | None
) -> ProvisionContract:
    target = _line_with_number(store, client_id, offer.service, number) if number else None
    if target:
        return ProvisionContract(
            client_id=client_id, offer_id=sub.offer_id, start_date=sub.start_date, target_contract_id=target
        )
    return ProvisionContract(
        client_id=client_id,
        offer_id=sub.offer_id,
        commitment_months=sub.commitment_months,
        start_date=sub.start_date,
        number=sub.number,
        intent="new_line",
    )


def _line_with_number(store: EventStore, client_id: UUID, service: str, number: str) -> UUID | None:
    """The client's active contract of this service on this number, if there is one."""
    client = store.load(Client, client_id, what="client")
    ids = [UUID(i) for i, contract_service in client.contracts.items() if contract_service == service]
    contracts = store.load_many(Contract, ids).values()
    return next((c.id for c in contracts if c.status == "active" and c.number == number), None)


def _outcome(store: EventStore, result: CommandResult, decision: str) -> SubscriptionOutcome:
    contract = store.load(Contract, result.id, what="contract")
    return SubscriptionOutcome(result, decision, contract.client_id, contract.number)


def _check_contact_phone(offer: Offer, phone: str | None) -> None:
    if offer.service in NEEDS_CONTACT_PHONE and not phone:
        raise RuleViolation(
            f"a {offer.service} subscription needs a contact phone",
            code="contact_phone_required",
            field="phone",
        )


class SubscriptionPreview(NamedTuple):
    offer: Offer
    start_date: date
    cin: str
    number: str | None
    # allocated_on_submit, held (for the draft), free or in_use
    # (a line on file: its plan changes, if it is the visitor's)
    number_status: str


def preview_subscription(
    store: EventStore, clock: Clock, sub: SubmitSubscription, hold: NumberHold | None = None
) -> SubscriptionPreview:
    """Checks a submission as far as it can be checked without revealing whether its CIN is on file.
    A draft's held number is shown as the line's number, or refused (number_hold_lost) if the hold no longer stands."""
    cin = normalize_cin(sub.cin)
    number = None
    found = store.load_any([sub.offer_id])
    offer = Offer.named(found.get(sub.offer_id), sub.offer_id)
    _check_contact_phone(offer, sub.phone)
    start = bookable(sub.start_date or clock.today(), clock.today())
    offer.require_sellable_on(start, "start date")
    status = "allocated_on_submit"
    if sub.number:
        number = normalize_number(sub.number, number_kind_for(offer.service))
        status = "in_use" if _in_use(store, number) else "free"
    elif hold is not None:
        number = held_reservation(store, hold, number_kind_for(offer.service), clock.now()).number
        status = "held"
    return SubscriptionPreview(offer, start, cin, number, status)


class PlanChangePreview(NamedTuple):
    before: PlanTerms
    after: Offer
    change: str


def preview_plan_change(
    store: EventStore, clock: Clock, client_id: UUID, contract_id: UUID, offer_id: UUID, effective: date
) -> PlanChangePreview:
    """The plan in force on the effective date and the one that would follow it, checked by the contract's own rules
    on a copy that is never saved."""
    found = store.load_any([contract_id, offer_id])
    contract = found.get(contract_id)
    if not isinstance(contract, Contract) or contract.client_id != client_id:
        raise NotFound(f"contract {contract_id} not found", code="contract_not_found", id=str(contract_id))
    offer = Offer.named(found.get(offer_id), offer_id)
    before = contract.plan_on(effective)
    change = contract.change_plan_to(offer, effective, clock.today())
    return PlanChangePreview(before, offer, change)
