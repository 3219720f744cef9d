"""Invoice PDFs: rendered after issue, stored, then announced by an InvoiceDocumentIssued event.

Separate from issuing so the numbering path never waits on rendering. The document id is derived
from the invoice, so a retried or resumed block rewrites nothing.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.identity import MTF_NAMESPACE, mask
from domain.invoice import Invoice
from infra.billing_input import BillingInput
from infra.clock import Clock
from infra.command_context import CommandContext
from domain.operator import Operator
from infra.documents import Issued, store_invoice_pdfs
from infra.event_store import ConcurrencyConflict, EventStore
from infra.pdf.pool import render_invoices
from infra.pdf.invoice import Customer, InvoiceSheet, invoice_fingerprint

ATTEMPTS = 5


def document_id_for(invoice_id: UUID) -> UUID:
    return uuid5(MTF_NAMESPACE, f"invoice-document/{invoice_id}")


def sheet_for(invoice: Invoice, billing_input: BillingInput) -> InvoiceSheet:
    identity = billing_input.identities.get(invoice.client_id)
    customer = Customer(identity.full_name, identity.address, mask(identity.cin), identity.ice, identity.language) if identity \
        else Customer("", "", "")
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


def document_block(
    store: EventStore, clock: Clock, operator: Operator, invoice_ids: list[UUID], billing_input: BillingInput, ctx: CommandContext,
    workers: int = 1,
) -> int:
    """Documents every invoice of the block that has none; returns how many of the block have one."""
    for _ in range(ATTEMPTS):
        invoices = store.load_many(Invoice, invoice_ids)
        pending = [invoice for invoice in invoices.values() if invoice.document_id is None]
        if not pending:
            return len(invoices)
        sheets = [sheet_for(i, billing_input) for i in pending]
        pdfs = render_invoices(operator, sheets, workers)
        rendered = [(document_id_for(i.id), i.id, pdf, Issued(i.number, i.issue_date, invoice_fingerprint(sheet)))
                    for i, sheet, pdf in zip(pending, sheets, pdfs)]
        for invoice, stored in zip(pending, store_invoice_pdfs(store, rendered, clock.now())):
            invoice.record_document(stored.document_id, stored.sha256, stored.size)
        try:
            store.save_as(ctx, *pending)
            return len(invoices)
        except ConcurrencyConflict:
            continue  # a credit note landed on one of them meanwhile: reload and retry
    raise ConcurrencyConflict("invoice documents kept colliding with other changes", invoice_ids=[str(i) for i in invoice_ids])
