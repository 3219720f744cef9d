"""Payments and client credit: who paid what, which invoices it settled, and what is left as credit.

A payment is one aggregate, identified by its method and reference, so the same bank transfer
or cheque recorded twice is the same payment. It settles invoices with `PaymentAllocated`
events on each invoice, oldest due first unless an invoice is named. Whatever is left over
becomes credit on the client's account, which the next issued invoice uses up. A reversal (a
bounced cheque) undoes each allocation with its own event, and takes back the credit it created,
reopening whatever invoice had already used that credit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.billing import ZERO
from domain.errors import Conflict, RuleViolation
from domain.identity import MTF_NAMESPACE
from domain.invoice import Invoice


@dataclass(frozen=True)
class Allocation:
    invoice_id: UUID
    amount: Decimal


def allocation_plan(
    amount: Decimal, invoices: Iterable[Invoice], named: UUID | None = None
) -> tuple[list[Allocation], Decimal]:
    """How a payment settles open invoices: the named one first, then oldest due first; returns the remainder."""
    ordered = sorted(
        (i for i in invoices if i.open_amount > 0), key=lambda i: (i.id != named, i.due_date, i.number)
    )
    plan, remaining = [], amount
    for invoice in ordered:
        if remaining <= 0:
            break
        take = min(remaining, invoice.open_amount)
        plan.append(Allocation(invoice.id, take))
        remaining -= take
    return plan, remaining


class Payment(Aggregate):
    @staticmethod
    def create_id(method: str, reference: str, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"payment/{method}/{reference}")

    @event("PaymentReceived")
    def __init__(
        self,
        client_id: UUID,
        amount: Decimal,
        method: str,
        reference: str,
        received_on: date,
        invoice_id: UUID | None,
        allocations: list[dict[str, Any]],
        credited: Decimal,
    ) -> None:
        self.client_id = client_id
        self.amount = amount
        self.method = method
        self.reference = reference
        self.received_on = received_on
        self.allocations = allocations  # [{"invoice_id", "invoice_number", "amount"}]
        self.credited = credited
        self.reversed = False

    @classmethod
    def receive(cls, *, amount: Decimal, **terms: Any) -> Payment:
        if amount <= 0:
            raise RuleViolation("a payment amount is positive", code="amount_not_positive", field="amount")
        return cls(amount=amount, **terms)

    def reverse(
        self, reason: str, reversed_on: date, credit_withdrawn: Decimal, reopened: list[dict[str, Any]]
    ) -> None:
        if self.reversed:
            raise Conflict("this payment was already reversed", code="payment_already_reversed")
        self._reversed(
            reason=reason, reversed_on=reversed_on, credit_withdrawn=credit_withdrawn, reopened=reopened
        )

    @event("PaymentReversed")
    def _reversed(
        self, reason: str, reversed_on: date, credit_withdrawn: Decimal, reopened: list[dict[str, Any]]
    ) -> None:
        self.reversed = True


class ClientAccount(Aggregate):
    """A client's credit: overpayments and credit notes beyond what was due, until invoices use it."""

    @staticmethod
    def create_id(client_id: UUID, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"client-account/{client_id}")

    @event("ClientAccountOpened")
    def __init__(self, client_id: UUID) -> None:
        self.client_id = client_id
        self.credit = ZERO
        self.uses: list[list] = []  # [invoice id, amount still attributed to credit], oldest first

    def add_credit(self, amount: Decimal, source: str, source_id: UUID) -> None:
        if amount > 0:
            self._credit_added(amount=amount, source=source, source_id=source_id)

    def use_credit_on(self, invoice: Invoice) -> Decimal:
        """Settles what it can of a new invoice from the credit; returns the amount used."""
        amount = min(self.credit, invoice.open_amount)
        if amount > 0:
            invoice.apply_credit(amount)
            self._credit_used(invoice_id=invoice.id, amount=amount)
        return amount

    def take_back(
        self, amount: Decimal, payment_id: UUID, paid: dict[UUID, Decimal]
    ) -> tuple[Decimal, list[Allocation]]:
        """Removes a reversed payment's credit: from the balance first, then by reopening the invoices
        that used credit most recently. Returns (withdrawn from the balance, credit uses to reverse).

        `paid` is what each invoice still has paid. A credit note may have released an invoice's
        payment back to the balance since its credit use; that use is then taken from the balance
        above, and reopening it as well would leave the invoice paid below zero."""
        withdrawn = min(self.credit, amount)
        if withdrawn > 0:
            self._credit_withdrawn(amount=withdrawn, payment_id=payment_id)
        remaining, reopen, left = amount - withdrawn, [], dict(paid)
        for invoice_id, used in reversed(self.uses):
            if remaining <= 0:
                break
            take = min(remaining, used, left.get(invoice_id, ZERO))
            if take > 0:
                reopen.append(Allocation(invoice_id, take))
                remaining -= take
                left[invoice_id] -= take
        for allocation in reopen:
            self._credit_use_reversed(
                invoice_id=allocation.invoice_id, amount=allocation.amount, payment_id=payment_id
            )
        return withdrawn, reopen

    @event("ClientCreditAdded")
    def _credit_added(self, amount: Decimal, source: str, source_id: UUID) -> None:
        self.credit += amount

    @event("ClientCreditUsed")
    def _credit_used(self, invoice_id: UUID, amount: Decimal) -> None:
        self.credit -= amount
        self.uses.append([invoice_id, amount])

    @event("ClientCreditWithdrawn")
    def _credit_withdrawn(self, amount: Decimal, payment_id: UUID) -> None:
        self.credit -= amount

    @event("ClientCreditUseReversed")
    def _credit_use_reversed(self, invoice_id: UUID, amount: Decimal, payment_id: UUID) -> None:
        for use in reversed(self.uses):
            if use[0] == invoice_id and use[1] > 0:
                use[1] -= amount
                break


def receive_payment(
    *,
    client_id: UUID,
    amount: Decimal,
    method: str,
    reference: str,
    received_on: date,
    named: UUID | None,
    invoices: dict[UUID, Invoice],
    account: ClientAccount,
) -> tuple[Payment, list[Invoice]]:
    """Records a payment against the client's invoices and account; returns it and the invoices it settled."""
    plan, remainder = allocation_plan(amount, invoices.values(), named)
    payment = Payment.receive(
        client_id=client_id,
        amount=amount,
        method=method,
        reference=reference,
        received_on=received_on,
        invoice_id=named,
        credited=remainder,
        allocations=[
            {"invoice_id": a.invoice_id, "invoice_number": invoices[a.invoice_id].number, "amount": a.amount}
            for a in plan
        ],
    )
    for allocation in plan:
        invoices[allocation.invoice_id].allocate(payment.id, allocation.amount, received_on)
    account.add_credit(remainder, "overpayment", payment.id)
    return payment, [invoices[a.invoice_id] for a in plan]


def reverse_payment(
    payment: Payment, invoices: dict[UUID, Invoice], account: ClientAccount, reason: str, today: date
) -> list[Invoice]:
    """Undoes a payment (a bounced cheque); returns the invoices it reopened. `invoices` holds all the client's."""
    if payment.reversed:
        raise Conflict("this payment was already reversed", code="payment_already_reversed")
    touched: dict[UUID, Invoice] = {}
    owed_back = payment.credited
    for allocation in payment.allocations:
        invoice = invoices[allocation["invoice_id"]]
        # A credit note may since have moved part of this allocation into client credit.
        undo = min(allocation["amount"], invoice.paid)
        if undo > 0:
            invoice.reverse_allocation(payment.id, undo, today)
            touched[invoice.id] = invoice
        owed_back += allocation["amount"] - undo
    withdrawn, reopen = account.take_back(
        owed_back, payment.id, {i: invoice.paid for i, invoice in invoices.items()}
    )
    for credit_use in reopen:
        invoices[credit_use.invoice_id].reverse_credit_application(credit_use.amount, today)
        touched[credit_use.invoice_id] = invoices[credit_use.invoice_id]
    payment.reverse(
        reason, today, withdrawn, [{"invoice_id": r.invoice_id, "amount": r.amount} for r in reopen]
    )
    return list(touched.values())
