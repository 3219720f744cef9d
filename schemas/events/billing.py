"""Payloads of mtf.billing_run.v1, mtf.invoice.v1, mtf.credit_note.v1 and mtf.discount.v1 events.

Money is a decimal string with two places; line amounts are strings too, so a consumer never
meets a float.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from domain.billing_run import BillingRun
from domain.discount import Discount
from domain.invoice import CreditNote, Invoice
from domain.payments import ClientAccount, Payment
from schemas.events.base import DecimalString, EventPayload, Money


class BillingRunStartedV1(EventPayload):
    period: str
    billed_position: int
    issue_date: date
    due_date: date
    vat_rate: DecimalString
    clients_total: int


class BillingRunStartedV2(BillingRunStartedV1):
    """v2 adds `block_size`, the clients per block of the run. Messages published before it are v1: read
    them as v2 with 500, the default size then (schemas/envelopes.py, `upcast`)."""

    block_size: int


class BillingRunBlockIssuedV1(EventPayload):
    """One block of the run's clients (`first_client` is its index in the run's order) was billed;
    appended with its invoices. Amounts are the block's own."""

    first_client: int
    clients: int
    invoices: int
    net: Money
    tax: Money
    gross: Money


class BillingRunProgressedV1(EventPayload):
    """Recorded by runs before v2 of BillingRunStarted (one worker, blocks in order): the run's
    cumulative counts. No longer recorded; still on the topic."""

    clients_done: int
    invoices_issued: int
    net: Money
    tax: Money
    gross: Money


class BillingRunIssuedV1(EventPayload):
    invoices_issued: int
    net: Money
    tax: Money
    gross: Money


class BillingRunCompletedV1(EventPayload):
    documents: int


class InvoiceLineV1(EventPayload):
    line_no: int
    kind: Literal["recurring", "activation_fee", "early_termination", "discount"]
    description: str
    contract_id: UUID | None = None
    number: str | None = None
    service: Literal["mobile", "internet", "landline"] | None = None
    offer_id: UUID | None = None
    offer_version: int | None = None
    offer_name: str | None = None
    monthly_fee: Money | None = None
    days: int | None = None
    period_days: int | None = None
    service_from: date | None = None
    service_to: date | None = None
    discount_id: UUID | None = None
    net: Money
    tax: Money
    gross: Money


class InvoiceIssuedV1(EventPayload):
    client_id: UUID
    period: str
    number: str
    run_id: UUID
    billed_position: int
    issue_date: date
    due_date: date
    vat_rate: DecimalString
    lines: list[InvoiceLineV1]
    net: Money
    tax: Money
    gross: Money


class CreditedLineV1(EventPayload):
    line_no: int
    description: str
    net: Money
    tax: Money
    gross: Money


class InvoiceCreditedV1(EventPayload):
    credit_note_id: UUID
    credit_note_number: str
    lines: list[CreditedLineV1]
    gross: Money
    released_to_credit: Money
    on: date


class InvoiceDocumentIssuedV1(EventPayload):
    document_id: UUID
    sha256: str
    size: int


class CreditNoteIssuedV1(EventPayload):
    number: str
    invoice_id: UUID
    invoice_number: str
    client_id: UUID
    reason: str
    issue_date: date
    lines: list[CreditedLineV1]
    net: Money
    tax: Money
    gross: Money


class CreditNoteDocumentIssuedV1(EventPayload):
    """The credit note's PDF, stored in the same append as the note (GET /credit-notes/{id}/pdf)."""

    document_id: UUID
    sha256: str
    size: int


class DiscountGrantedV1(EventPayload):
    client_id: UUID
    contract_id: UUID | None
    kind: Literal["percent", "fixed"]
    value: DecimalString
    from_period: str
    to_period: str | None
    label: str


class DiscountEndedV1(EventPayload):
    last_period: str


class PaymentAllocatedV1(EventPayload):
    payment_id: UUID
    amount: Money
    received_on: date


class CreditAppliedV1(EventPayload):
    amount: Money
    on: date


class AllocationReversedV1(EventPayload):
    payment_id: UUID
    amount: Money
    reversed_on: date


class CreditApplicationReversedV1(EventPayload):
    amount: Money
    on: date


class PaymentAllocationV1(EventPayload):
    invoice_id: UUID
    invoice_number: str
    amount: Money


class PaymentReceivedV1(EventPayload):
    client_id: UUID
    amount: Money
    method: Literal["cash", "card", "bank_transfer", "cheque", "direct_debit", "manual"]
    reference: str
    received_on: date
    invoice_id: UUID | None
    allocations: list[PaymentAllocationV1]
    credited: Money


class ReopenedByCreditV1(EventPayload):
    invoice_id: UUID
    amount: Money


class PaymentReversedV1(EventPayload):
    reason: str
    reversed_on: date
    credit_withdrawn: Money
    reopened: list[ReopenedByCreditV1]


class ClientAccountOpenedV1(EventPayload):
    client_id: UUID


class ClientCreditAddedV1(EventPayload):
    amount: Money
    source: Literal["overpayment", "credit_note"]
    source_id: UUID


class ClientCreditUsedV1(EventPayload):
    invoice_id: UUID
    amount: Money


class ClientCreditWithdrawnV1(EventPayload):
    amount: Money
    payment_id: UUID


class ClientCreditUseReversedV1(EventPayload):
    invoice_id: UUID
    amount: Money
    payment_id: UUID


# The public type of each event: its topic's aggregate name and its payload. schemas/catalog.py gathers these.
PUBLISHED: dict[type, tuple[str, type[EventPayload]]] = {
    BillingRun.BillingRunStarted: ("billing_run", BillingRunStartedV2),
    BillingRun.BillingRunBlockIssued: ("billing_run", BillingRunBlockIssuedV1),
    BillingRun.BillingRunProgressed: ("billing_run", BillingRunProgressedV1),
    BillingRun.BillingRunIssued: ("billing_run", BillingRunIssuedV1),
    BillingRun.BillingRunCompleted: ("billing_run", BillingRunCompletedV1),
    Invoice.InvoiceIssued: ("invoice", InvoiceIssuedV1),
    Invoice.InvoiceCredited: ("invoice", InvoiceCreditedV1),
    Invoice.InvoiceDocumentIssued: ("invoice", InvoiceDocumentIssuedV1),
    Invoice.PaymentAllocated: ("invoice", PaymentAllocatedV1),
    Invoice.CreditApplied: ("invoice", CreditAppliedV1),
    Invoice.AllocationReversed: ("invoice", AllocationReversedV1),
    Invoice.CreditApplicationReversed: ("invoice", CreditApplicationReversedV1),
    Payment.PaymentReceived: ("payment", PaymentReceivedV1),
    Payment.PaymentReversed: ("payment", PaymentReversedV1),
    ClientAccount.ClientAccountOpened: ("client_account", ClientAccountOpenedV1),
    ClientAccount.ClientCreditAdded: ("client_account", ClientCreditAddedV1),
    ClientAccount.ClientCreditUsed: ("client_account", ClientCreditUsedV1),
    ClientAccount.ClientCreditWithdrawn: ("client_account", ClientCreditWithdrawnV1),
    ClientAccount.ClientCreditUseReversed: ("client_account", ClientCreditUseReversedV1),
    CreditNote.CreditNoteIssued: ("credit_note", CreditNoteIssuedV1),
    CreditNote.CreditNoteDocumentIssued: ("credit_note", CreditNoteDocumentIssuedV1),
    Discount.DiscountGranted: ("discount", DiscountGrantedV1),
    Discount.DiscountEnded: ("discount", DiscountEndedV1),
}

# Earlier versions of an event, still on the topic in messages published before the current one.
EARLIER: dict[type, dict[int, type[EventPayload]]] = {BillingRun.BillingRunStarted: {1: BillingRunStartedV1}}
