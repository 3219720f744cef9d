"""The Invoice aggregate: issued once with its number and lines, then immutable.

What changes after issue is its balance, never its content: documents are attached and credit
notes are recorded against it. Its id is derived from (client, period), so a client can never
hold two invoices for one period, whatever runs race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.billing import ZERO
from domain.errors import Conflict, RuleViolation
from domain.identity import MTF_NAMESPACE
from domain.money import mad


@dataclass(frozen=True)
class CreditRequest:
    line_no: int
    net: Decimal | None = None  # None: everything still creditable on the line


class Invoice(Aggregate):
    @staticmethod
    def create_id(client_id: UUID, period: str, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"invoice/{client_id}/{period}")

    @event("InvoiceIssued")
    def __init__(
        self,
        client_id: UUID,
        period: str,
        number: str,
        run_id: UUID,
        billed_position: int,
        issue_date: date,
        due_date: date,
        vat_rate: Decimal,
        lines: list[dict[str, Any]],
        net: Decimal,
        tax: Decimal,
        gross: Decimal,
    ) -> None:
        self.client_id = client_id
        self.period = period
        self.number = number
        self.run_id = run_id
        self.issue_date = issue_date
        self.due_date = due_date
        self.vat_rate = vat_rate
        self.lines = lines
        self.net, self.tax, self.gross = net, tax, gross
        self.credited: dict[int, tuple[Decimal, Decimal]] = {}  # line_no -> (net, tax) credited so far
        self.credit_notes: list[UUID] = []
        self.document_id: UUID | None = None
        self.paid = ZERO  # settled by payments and by client credit, net of reversals

    @property
    def due(self) -> Decimal:
        """What the client owes on this invoice after its credit notes."""
        return self.gross - self.credited_gross

    @property
    def open_amount(self) -> Decimal:
        return self.due - self.paid

    def allocate(self, payment_id: UUID, amount: Decimal, received_on: date) -> None:
        self._require_open(amount)
        self._payment_allocated(payment_id=payment_id, amount=amount, received_on=received_on)

    def apply_credit(self, amount: Decimal) -> None:
        self._require_open(amount)
        self._credit_applied(amount=amount, on=self.issue_date)

    def reverse_allocation(self, payment_id: UUID, amount: Decimal, reversed_on: date) -> None:
        self._allocation_reversed(payment_id=payment_id, amount=amount, reversed_on=reversed_on)

    def reverse_credit_application(self, amount: Decimal, on: date) -> None:
        self._credit_application_reversed(amount=amount, on=on)

    def _require_open(self, amount: Decimal) -> None:
        if amount <= 0 or amount > self.open_amount:
            raise Conflict(
                "the invoice cannot take this amount",
                code="invoice_overpaid",
                open_amount=str(self.open_amount),
            )

    @event("PaymentAllocated")
    def _payment_allocated(self, payment_id: UUID, amount: Decimal, received_on: date) -> None:
        self.paid += amount

    @event("CreditApplied")
    def _credit_applied(self, amount: Decimal, on: date) -> None:
        self.paid += amount

    @event("AllocationReversed")
    def _allocation_reversed(self, payment_id: UUID, amount: Decimal, reversed_on: date) -> None:
        self.paid -= amount

    @event("CreditApplicationReversed")
    def _credit_application_reversed(self, amount: Decimal, on: date) -> None:
        self.paid -= amount

    @property
    def credited_gross(self) -> Decimal:
        return sum((net + tax for net, tax in self.credited.values()), ZERO)

    def remaining(self, line: dict[str, Any]) -> tuple[Decimal, Decimal]:
        net, tax = self.credited.get(line["line_no"], (ZERO, ZERO))
        return Decimal(line["net"]) - net, Decimal(line["tax"]) - tax

    def credit_lines(self, requests: list[CreditRequest] | None) -> list[dict[str, Any]]:
        """The credit-note lines for a full credit (None) or for the named lines. Raises when nothing fits."""
        if requests is None:
            chosen = [self._full(line) for line in self.lines]
            chosen = [c for c in chosen if c["net"] != "0.00" or c["tax"] != "0.00"]
        else:
            chosen = [self._partial(request) for request in _unique(requests)]
        if not chosen:
            raise Conflict("everything on this invoice is already credited", code="invoice_fully_credited")
        gross = sum((Decimal(c["gross"]) for c in chosen), ZERO)
        if gross > self.gross - self.credited_gross:
            raise Conflict(
                "the credit would exceed what is left of the invoice",
                code="credit_exceeds_invoice",
                open_amount=str(self.gross - self.credited_gross),
            )
        return chosen

    def _full(self, line: dict[str, Any]) -> dict[str, Any]:
        net, tax = self.remaining(line)
        return _credit_line(line, net, tax)

    def _partial(self, request: CreditRequest) -> dict[str, Any]:
        line = next((candidate for candidate in self.lines if candidate["line_no"] == request.line_no), None)
        if line is None:
            raise RuleViolation(
                f"the invoice has no line {request.line_no}", code="unknown_invoice_line", field="lines"
            )
        if line["kind"] == "discount":
            raise RuleViolation(
                "a discount line cannot be credited on its own", code="line_not_creditable", field="lines"
            )
        open_net, open_tax = self.remaining(line)
        net = open_net if request.net is None else mad(request.net)
        if net <= 0 or net > open_net:
            raise Conflict(
                f"line {request.line_no} has {open_net} MAD left to credit",
                code="credit_exceeds_line",
                line_no=request.line_no,
                open_net=str(open_net),
            )
        # The last credit on a line takes exactly the tax left, so rounding never leaves a cent behind.
        tax = open_tax if net == open_net else min(open_tax, mad(net * self.vat_rate))
        return _credit_line(line, net, tax)

    def record_credit(
        self, credit_note_id: UUID, credit_note_number: str, lines: list[dict[str, Any]], on: date
    ) -> Decimal:
        """Records a credit note; returns what was already paid beyond the reduced amount due (it becomes
        client credit)."""
        gross = sum((Decimal(c["gross"]) for c in lines), ZERO)
        released = max(ZERO, self.paid - (self.due - gross))
        self._credited(
            credit_note_id=credit_note_id,
            credit_note_number=credit_note_number,
            lines=lines,
            gross=gross,
            released_to_credit=released,
            on=on,
        )
        return released

    @event("InvoiceCredited")
    def _credited(
        self,
        credit_note_id: UUID,
        credit_note_number: str,
        lines: list[dict[str, Any]],
        gross: Decimal,
        released_to_credit: Decimal,
        on: date,
    ) -> None:
        self.credit_notes.append(credit_note_id)
        for credit in lines:
            net, tax = self.credited.get(credit["line_no"], (ZERO, ZERO))
            self.credited[credit["line_no"]] = (net + Decimal(credit["net"]), tax + Decimal(credit["tax"]))
        self.paid -= released_to_credit

    def record_document(self, document_id: UUID, sha256: str, size: int) -> None:
        self._document_issued(document_id=document_id, sha256=sha256, size=size)

    @event("InvoiceDocumentIssued")
    def _document_issued(self, document_id: UUID, sha256: str, size: int) -> None:
        self.document_id = document_id


@dataclass(frozen=True)
class Settlement:
    """What one invoice event changes in what the client owes on it, and on which day: `credited`
    comes off what is due, `paid` is paid against it (negative for a reversal, or for what a credit
    note released to the client's credit). Open amount = gross - credited - paid."""

    on: date
    credited: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def taken_off(self) -> Decimal:
        return self.credited + self.paid


SETTLING_EVENTS = (
    "InvoiceCredited",
    "PaymentAllocated",
    "CreditApplied",
    "AllocationReversed",
    "CreditApplicationReversed",
)


def settlement_of(name: str, get: Callable[[str, Any], Any]) -> Settlement:
    """The one rule for what an invoice event settles, for every reader of the log: the invoice register
    and the collections sweep's reader; the aggregate's own arithmetic is checked against it. `get(key,
    default)` reads the event's field (a Decimal or its text, a date or its ISO text)."""

    def money(key: str) -> Decimal:
        return Decimal(str(get(key, "0")))

    def day(key: str) -> date:
        value = get(key, None)
        return value if isinstance(value, date) else date.fromisoformat(value)

    if name == "InvoiceCredited":
        return Settlement(day("on"), credited=money("gross"), paid=-money("released_to_credit"))
    if name == "PaymentAllocated":
        return Settlement(day("received_on"), paid=money("amount"))
    if name == "CreditApplied":
        return Settlement(day("on"), paid=money("amount"))
    if name == "AllocationReversed":
        return Settlement(day("reversed_on"), paid=-money("amount"))
    if name == "CreditApplicationReversed":
        return Settlement(day("on"), paid=-money("amount"))
    raise ValueError(f"{name} settles nothing on an invoice")


def _credit_line(line: dict[str, Any], net: Decimal, tax: Decimal) -> dict[str, Any]:
    return {
        "line_no": line["line_no"],
        "description": line["description"],
        "net": str(net),
        "tax": str(tax),
        "gross": str(net + tax),
    }


def _unique(requests: list[CreditRequest]) -> list[CreditRequest]:
    seen = [r.line_no for r in requests]
    if len(seen) != len(set(seen)):
        raise RuleViolation("a line is named twice", code="duplicate_invoice_line", field="lines")
    if not requests:
        raise RuleViolation(
            "name at least one line, or omit lines for a full credit", code="no_lines", field="lines"
        )
    return requests


class CreditNote(Aggregate):
    """A correction of an issued invoice, in its own gap-free series."""

    @event("CreditNoteIssued")
    def __init__(
        self,
        number: str,
        invoice_id: UUID,
        invoice_number: str,
        client_id: UUID,
        reason: str,
        issue_date: date,
        lines: list[dict[str, Any]],
        net: Decimal,
        tax: Decimal,
        gross: Decimal,
    ) -> None:
        self.number = number
        self.invoice_id = invoice_id
        self.invoice_number = invoice_number
        self.client_id = client_id
        self.reason = reason
        self.issue_date = issue_date
        self.lines = lines
        self.net, self.tax, self.gross = net, tax, gross
        self.document_id: UUID | None = None

    def record_document(self, document_id: UUID, sha256: str, size: int) -> None:
        self._document_issued(document_id=document_id, sha256=sha256, size=size)

    @event("CreditNoteDocumentIssued")
    def _document_issued(self, document_id: UUID, sha256: str, size: int) -> None:
        self.document_id = document_id
