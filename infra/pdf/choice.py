"""Which renderer draws which document: the fast writer for a French invoice or contract sheet it can write whole
(the billing run's bulk, and the provisioning command's own path), reportlab's platypus for the rest."""

from __future__ import annotations

from domain.operator import Operator
from infra.pdf import fast_contract, fast_invoice
from infra.pdf.contract import ContractSheet, render_contract
from infra.pdf.invoice import InvoiceSheet, render_invoice


def invoice_pdf(operator: Operator, sheet: InvoiceSheet) -> bytes:
    if fast_invoice.can_render(operator, sheet):
        return fast_invoice.render_fast_invoice(operator, sheet)
    return render_invoice(operator, sheet)


def contract_pdf(operator: Operator, sheet: ContractSheet) -> bytes:
    if fast_contract.can_render(operator, sheet):
        return fast_contract.render_fast_contract(operator, sheet)
    return render_contract(operator, sheet)
