"""RecordPayment, MarkInvoicePaid and ReversePayment.

A payment's events, the allocations on each invoice it settles and the credit it leaves are one
append; two payments racing for one invoice collide on its version and the loser re-plans, so
no invoice is ever paid beyond what is due.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic
from pydantic import Field, StringConstraints

from commands.base import Amount, Command, CommandResult
from commands.retry import retry_on_conflict
from domain.billing_run import BillingRun
from domain.client import Client
from domain.errors import Conflict, NotFound, RuleViolation
from domain.invoice import Invoice
from domain.payments import ClientAccount, Payment, receive_payment
from domain.payments import reverse_payment as undo_payment
from infra.eventstore.port import EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext

Method = Literal["cash", "card", "bank_transfer", "cheque", "direct_debit", "manual"]


class RecordPayment(Command):
    client_id: UUID
    amount: Amount
    method: Method
    reference: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    received_on: date | None = Field(default=None, description="Defaults to today; never in the future.")
    invoice_id: UUID | None = Field(
        default=None, description="Settle this invoice first; otherwise oldest due first."
    )


class ReversePayment(Command):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


def billed_periods(store: EventStore) -> list[str]:
    return sorted(
        orjson.loads(state)["period"] for state in store.states_of(get_topic(BillingRun.BillingRunStarted))
    )


def client_invoices(store: EventStore, client_id: UUID) -> dict[UUID, Invoice]:
    """Every invoice of the client: at most one per billed period, and their ids are derived from it."""
    return store.load_many(
        Invoice, [Invoice.create_id(client_id, period) for period in billed_periods(store)]
    )


def worth_saving(account: ClientAccount) -> list[ClientAccount]:
    """An account is opened only to hold credit: a new one that received none is left unsaved."""
    return [] if account.version == 1 and account.pending_events else [account]


def open_account(store: EventStore, client_id: UUID) -> ClientAccount:
    account_id = ClientAccount.create_id(client_id)
    if store.exists(account_id):
        return store.load(ClientAccount, account_id, what="client_account")
    return ClientAccount(client_id=client_id)


@retry_on_conflict
def record_payment(
    store: EventStore, clock: Clock, cmd: RecordPayment, ctx: CommandContext
) -> tuple[CommandResult, bool]:
    """Returns the payment and whether this call recorded it (False: the same method and reference came before)."""
    received_on = received_date(cmd, clock)
    # One read for everything the decision needs: an earlier payment, the client, its account and invoices.
    periods = billed_periods(store)
    found = store.load_any(ledger_ids(cmd, periods))
    received = receive(store, cmd, received_on, periods, found)
    if received is None:
        payment_id = Payment.create_id(cmd.method, cmd.reference)
        return CommandResult(payment_id, store.position_of(payment_id)), False
    payment, settled, account = received
    # The payment goes last in the append, so its own position is the append's: a repeated request
    # answers with a consistency token that covers the allocations too.
    return CommandResult(payment.id, store.save_as(ctx, *settled, *worth_saving(account), payment)), True


def received_date(cmd: RecordPayment, clock: Clock) -> date:
    received_on = cmd.received_on or clock.today()
    if received_on > clock.today():
        raise RuleViolation(
            "a payment cannot be received in the future", code="received_on_in_future", field="received_on"
        )
    return received_on


def ledger_ids(cmd: RecordPayment, periods: list[str]) -> list[UUID]:
    """The aggregates a payment decision reads: an earlier payment, the client, its account and its invoices."""
    return [
        Payment.create_id(cmd.method, cmd.reference),
        cmd.client_id,
        ClientAccount.create_id(cmd.client_id),
        *(Invoice.create_id(cmd.client_id, period) for period in periods),
    ]


def receive(
    store: EventStore, cmd: RecordPayment, received_on: date, periods: list[str], found: dict[UUID, Any]
) -> tuple[Payment, list[Invoice], ClientAccount] | None:
    """Decides the payment from the loaded aggregates in `found`, which it updates; None if it was recorded before."""
    if Payment.create_id(cmd.method, cmd.reference) in found:
        return None
    client = found.get(cmd.client_id)
    if not isinstance(client, Client):
        client = store.load(Client, cmd.client_id, what="client")  # raises the precise not-found
    invoice_ids = [Invoice.create_id(cmd.client_id, period) for period in periods]
    invoices = {i: found[i] for i in invoice_ids if isinstance(found.get(i), Invoice)}
    if cmd.invoice_id is not None and cmd.invoice_id not in invoices:
        _refuse_foreign_invoice(store, cmd.invoice_id)
    account_id = ClientAccount.create_id(client.id)
    if account_id not in found:
        found[account_id] = ClientAccount(client_id=client.id)
    account = found[account_id]
    payment, settled = receive_payment(
        client_id=client.id,
        amount=cmd.amount,
        method=cmd.method,
        reference=cmd.reference,
        received_on=received_on,
        named=cmd.invoice_id,
        invoices=invoices,
        account=account,
    )
    found[payment.id] = payment
    return payment, settled, account


def _refuse_foreign_invoice(store: EventStore, invoice_id: UUID) -> None:
    if store.exists(invoice_id):
        raise RuleViolation(
            "the invoice belongs to another client", code="invoice_of_another_client", field="invoice_id"
        )
    raise NotFound(f"invoice {invoice_id} not found", code="invoice_not_found", id=str(invoice_id))


def mark_invoice_paid(
    store: EventStore, clock: Clock, invoice_id: UUID, ctx: CommandContext
) -> tuple[CommandResult, bool]:
    """Records a payment of the invoice's open balance (the operator saw it paid)."""
    invoice = store.load(Invoice, invoice_id, what="invoice")
    if invoice.open_amount <= 0:
        raise Conflict(
            "nothing is open on this invoice", code="invoice_not_open", open_amount=str(invoice.open_amount)
        )
    # The reference names the invoice's version: a retried request is the same payment, a later one is new.
    reference = f"mark-paid/{invoice.number}/v{invoice.version}"
    command = RecordPayment(
        client_id=invoice.client_id,
        amount=invoice.open_amount,
        method="manual",
        reference=reference,
        invoice_id=invoice.id,
    )
    return record_payment(store, clock, command, ctx)


@retry_on_conflict
def reverse_payment(
    store: EventStore, clock: Clock, payment_id: UUID, cmd: ReversePayment, ctx: CommandContext
) -> CommandResult:
    payment = store.load(Payment, payment_id, what="payment")
    account = open_account(store, payment.client_id)
    reopened = undo_payment(
        payment, client_invoices(store, payment.client_id), account, cmd.reason, clock.today()
    )
    return CommandResult(payment.id, store.save_as(ctx, payment, *reopened, *worth_saving(account)))
