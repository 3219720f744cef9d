"""IssueCreditNote: a full or per-line correction of an issued invoice, numbered AV-YYYY-NNNNNN.

The credit note, the invoice's record of it and the number it takes are one append: the invoice's
version check stops two credits from both taking the same remaining amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from commands.base import Command, CommandResult, PositiveAmount
from commands.billing import open_series
from commands.payments import open_account
from commands.retry import retry_on_conflict
from domain.invoice import CreditNote, CreditRequest, Invoice
from domain.number_series import CREDIT_NOTES
from infra.clock import Clock
from infra.command_context import CommandContext
from infra.event_store import EventStore


class CreditLine(Command):
    line_no: int = Field(ge=1, le=10_000)
    net: PositiveAmount | None = Field(default=None, description="Net amount to credit; the whole remaining line when omitted.")


class IssueCreditNote(Command):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    lines: list[CreditLine] | None = Field(default=None, max_length=500, description="Omit for a full credit of what remains.")


@retry_on_conflict
def issue_credit_note(store: EventStore, clock: Clock, invoice_id: UUID, cmd: IssueCreditNote, ctx: CommandContext) -> CommandResult:
    invoice = store.load(Invoice, invoice_id, what="invoice")
    requests = None if cmd.lines is None else [CreditRequest(line.line_no, line.net) for line in cmd.lines]
    lines = invoice.credit_lines(requests)
    today = clock.today()
    series = open_series(store, CREDIT_NOTES, today.year)
    (number,) = series.allocate(1)
    net = sum(Decimal(line["net"]) for line in lines)
    tax = sum(Decimal(line["tax"]) for line in lines)
    note = CreditNote(
        number=number, invoice_id=invoice.id, invoice_number=invoice.number, client_id=invoice.client_id, reason=cmd.reason,
        issue_date=today, lines=lines, net=net, tax=tax, gross=net + tax,
    )
    released = invoice.record_credit(note.id, number, lines, today)
    account = []
    if released > 0:  # already paid beyond what is now due: the difference is the client's credit
        account = [open_account(store, invoice.client_id)]
        account[0].add_credit(released, "credit_note", note.id)
    return CommandResult(note.id, store.save_as(ctx, note, invoice, series, *account))
