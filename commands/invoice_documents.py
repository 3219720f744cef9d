"""Invoice PDFs: rendered after issue, stored, then announced by an InvoiceDocumentIssued event.

Separate from issuing so the numbering path never waits on rendering. The document id is derived
from the invoice, so a retried or resumed block rewrites nothing.
"""

from __future__ import annotations

from typing import Callable, Iterator, NamedTuple
from uuid import UUID, uuid5

from commands.billing_input import ClientIdentity
from domain.identity import MTF_NAMESPACE, mask
from domain.invoice import Invoice
from domain.operator import Operator
from infra.eventstore.port import ConcurrencyConflict, EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext
from infra.pdf.invoice import Customer, InvoiceSheet, invoice_fingerprint
from infra.pdf.pool import render_invoices
from infra.storage.documents import Issued, store_invoice_pdfs

ATTEMPTS = 5
Identities = Callable[[list[UUID]], dict[UUID, ClientIdentity]]  # what documents show of these clients


def document_id_for(invoice_id: UUID) -> UUID:
    return uuid5(MTF_NAMESPACE, f"invoice-document/{invoice_id}")


def sheet_for(invoice: Invoice, identity: ClientIdentity | None) -> InvoiceSheet:
    customer = (
        Customer(identity.full_name, identity.address, mask(identity.cin), identity.ice, identity.language)
        if identity
        else Customer("", "", "")
    )
    return InvoiceSheet(
        number=invoice.number,
        period=invoice.period,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        customer=customer,
        vat_rate=invoice.vat_rate,
        lines=invoice.lines,
        net=invoice.net,
        tax=invoice.tax,
        gross=invoice.gross,
    )


class RenderedBlock(NamedTuple):
    """A block's invoices still without a PDF, their sheets, and their PDFs, rendering meanwhile."""

    invoice_ids: list[UUID]
    size: int  # invoices in the block, documented or not
    pending: list[Invoice]
    sheets: list[InvoiceSheet]
    pdfs: Iterator[bytes]


def start_block(
    store: EventStore, operator: Operator, invoice_ids: list[UUID], identities: Identities, workers: int
) -> RenderedBlock:
    """Loads the block and starts rendering its missing PDFs, on the pool when there is one: the caller stores the
    block before this one meanwhile."""
    invoices = store.load_many(Invoice, invoice_ids)
    pending = [invoice for invoice in invoices.values() if invoice.document_id is None]
    known = identities([i.client_id for i in pending]) if pending else {}
    sheets = [sheet_for(i, known.get(i.client_id)) for i in pending]
    return RenderedBlock(
        invoice_ids, len(invoices), pending, sheets, render_invoices(operator, sheets, workers)
    )


def finish_block(
    store: EventStore,
    clock: Clock,
    operator: Operator,
    block: RenderedBlock,
    identities: Identities,
    ctx: CommandContext,
    workers: int = 1,
) -> int:
    """Stores the block's PDFs and announces them in one append; returns how many of the block have one. A credit note
    that landed on one of them meanwhile makes the append conflict: then the block is reloaded and rendered again."""
    try:
        return _stored(store, clock, block, ctx)
    except ConcurrencyConflict:
        return document_block(store, clock, operator, block.invoice_ids, identities, ctx, workers)


def document_block(
    store: EventStore,
    clock: Clock,
    operator: Operator,
    invoice_ids: list[UUID],
    identities: Identities,
    ctx: CommandContext,
    workers: int = 1,
) -> int:
    """Documents every invoice of the block that has none, on its own; returns how many of the block have one."""
    for _ in range(ATTEMPTS):
        block = start_block(store, operator, invoice_ids, identities, workers)
        try:
            return _stored(store, clock, block, ctx)
        except ConcurrencyConflict:
            continue  # a credit note landed on one of them meanwhile: reload and retry
    raise ConcurrencyConflict(
        "invoice documents kept colliding with other changes", invoice_ids=[str(i) for i in invoice_ids]
    )


def _stored(store: EventStore, clock: Clock, block: RenderedBlock, ctx: CommandContext) -> int:
    if block.pending:
        rendered = [
            (document_id_for(i.id), i.id, pdf, Issued(i.number, i.issue_date, invoice_fingerprint(sheet)))
            for i, sheet, pdf in zip(block.pending, block.sheets, block.pdfs)
        ]
        for invoice, stored in zip(block.pending, store_invoice_pdfs(store, rendered, clock.now())):
            invoice.record_document(stored.document_id, stored.sha256, stored.size)
        store.save_as(ctx, *block.pending)
    return block.size
