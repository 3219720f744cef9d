"""IssueCreditNote: a full or per-line correction of an issued invoice, numbered AV-YYYY-NNNNNN.

The credit note, the invoice's record of it and the number it takes are one append: the invoice's
version check stops two credits from both taking the same remaining amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID, uuid5

from pydantic import Field, StringConstraints

from commands.base import Command, CommandResult, PositiveAmount
from commands.billing import open_series
from commands.payments import open_account
from commands.retry import retry_on_conflict
from domain.client import Client
from domain.identity import MTF_NAMESPACE, mask
from domain.invoice import CreditNote, CreditRequest, Invoice
from domain.number_series import CREDIT_NOTES
from domain.operator import Operator
from infra.eventstore.port import EventStore, Row
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext
from infra.pdf.credit_note import CreditNoteSheet, credit_note_fingerprint, render_credit_note
from infra.pdf.invoice import Customer
from infra.storage.documents import Issued, credit_note_document


class CreditLine(Command):
    line_no: int = Field(ge=1, le=10_000)
    net: PositiveAmount | None = Field(
        default=None, description="Net amount to credit; the whole remaining line when omitted."
    )


class IssueCreditNote(Command):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    lines: list[CreditLine] | None = Field(
        default=None, max_length=500, description="Omit for a full credit of what remains."
    )


@retry_on_conflict
def issue_credit_note(
    store: EventStore,
    clock: Clock,
    operator: Operator,
    invoice_id: UUID,
    cmd: IssueCreditNote,
    ctx: CommandContext,
) -> CommandResult:
    """Numbers the credit note, credits the invoice and renders the note's PDF: one append, with the PDF's row."""
    invoice = store.load(Invoice, invoice_id, what="invoice")
    requests = None if cmd.lines is None else [CreditRequest(line.line_no, line.net) for line in cmd.lines]
    lines = invoice.credit_lines(requests)
    today = clock.today()
    series = open_series(store, CREDIT_NOTES, today.year)
    (number,) = series.allocate(1)
    net = sum(Decimal(line["net"]) for line in lines)
    tax = sum(Decimal(line["tax"]) for line in lines)
    note = CreditNote(
        number=number,
        invoice_id=invoice.id,
        invoice_number=invoice.number,
        client_id=invoice.client_id,
        reason=cmd.reason,
        issue_date=today,
        lines=lines,
        net=net,
        tax=tax,
        gross=net + tax,
    )
    released = invoice.record_credit(note.id, number, lines, today)
    account = []
    if released > 0:  # already paid beyond what is now due: the difference is the client's credit
        account = [open_account(store, invoice.client_id)]
        account[0].add_credit(released, "credit_note", note.id)
    document = _document(store, clock, operator, note, invoice)
    return CommandResult(note.id, store.save_as(ctx, note, invoice, series, *account, alongside=[document]))


def _document(store: EventStore, clock: Clock, operator: Operator, note: CreditNote, invoice: Invoice) -> Row:
    client = store.load(Client, note.client_id, what="client")
    customer = Customer(client.full_name, client.address, mask(client.cin), client.ice, client.language)
    sheet = CreditNoteSheet(
        number=note.number,
        issue_date=note.issue_date,
        invoice_number=invoice.number,
        invoice_issue_date=invoice.issue_date,
        reason=note.reason,
        customer=customer,
        vat_rate=invoice.vat_rate,
        lines=note.lines,
        invoice_lines={line["line_no"]: line for line in invoice.lines},
        net=note.net,
        tax=note.tax,
        gross=note.gross,
    )
    issued = Issued(note.number, note.issue_date, credit_note_fingerprint(sheet))
    document_id = uuid5(MTF_NAMESPACE, f"credit-note-document/{note.id}")
    stored, row = credit_note_document(
        document_id, note.id, issued, render_credit_note(operator, sheet), clock.now()
    )
    note.record_document(stored.document_id, stored.sha256, stored.size)
    return row
