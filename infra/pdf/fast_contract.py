"""The contract sheet drawn straight into a PDF with the standard fonts: it is rendered inside the provisioning
command, where platypus would multiply the command's CPU cost (docs/documents.md). Same blocks as the platypus sheet;
only for a French sheet whose every text the standard fonts can print."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit

from domain.operator import Operator
from infra.pdf.contract import ContractSheet, rows
from infra.pdf.fast_layout import (
    BOLD,
    LEFT,
    REGULAR,
    RIGHT,
    WIDTH,
    Page,
    customer_box,
    day,
    heading,
    operator_texts,
    writable,
)
from infra.pdf.labels import french
from infra.pdf.text_pdf import TextPdf


def can_render(operator: Operator, sheet: ContractSheet) -> bool:
    return sheet.customer.language == "fr" and writable(
        *operator_texts(operator),
        sheet.customer.name,
        sheet.customer.address,
        *(value for _, value in rows(sheet)),
    )


def render_fast_contract(operator: Operator, sheet: ContractSheet) -> bytes:
    pdf = TextPdf(f"Contrat {sheet.contract_number}")
    page = Page(pdf, operator)
    title = french("contract" if sheet.reason == "provisioning" else "plan_change")
    heading(page, title, (("reference", sheet.contract_number), ("date", day(sheet.effective_date))))
    customer_box(page, sheet.customer)
    page.y -= 2 * mm
    for key, value in rows(sheet):
        lines = simpleSplit(value, REGULAR, 8.5, WIDTH * 0.7 - 3 * mm)
        page.text(LEFT + 1.5 * mm, french(key), BOLD)
        for line in lines:
            page.text(LEFT + WIDTH * 0.3 + 1.5 * mm, line)
            page.y -= 4 * mm
        page.y -= 2.4 * mm
        page.pdf.line(LEFT, page.y + 4.6 * mm, RIGHT, page.y + 4.6 * mm, 0.25)
    page.footer()
    return pdf.save()
