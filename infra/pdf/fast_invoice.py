"""The invoice drawn straight into a PDF with the standard Helvetica fonts: the billing run's bulk path.

It carries the same mentions, in the same places, as the reportlab (platypus) invoice, at a small fraction of its cost,
but it can only write the WinAnsi (cp1252) characters of French in Latin script. `render` picks it for a French
invoice whose every text it can write, and the platypus invoice for every other (Arabic names or labels).
docs/documents.md gives the measurements behind the choice.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit

from domain.operator import Operator
from infra.pdf.amounts import in_words_fr, money
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
from infra.pdf.invoice import InvoiceSheet, designation, invoice_fingerprint, line_rows_text, percent
from infra.pdf.labels import french
from infra.pdf.qr import qr_code
from infra.pdf.text_pdf import TextPdf

# Column right edges (numbers align right) after the designation, as fractions of the width, as on the platypus invoice.
COLUMNS = (0.40, 0.51, 0.63, 0.76, 0.85, 1.0)
HEADS = ("designation", "quantity", "unit_price", "amount_ht", "vat_rate", "vat_amount")


def can_render(operator: Operator, sheet: InvoiceSheet) -> bool:
    """Whether this writer can print every text of the invoice as it is."""
    texts = [
        *operator_texts(operator),
        sheet.customer.name,
        sheet.customer.address,
        *(designation(line) for line in sheet.lines),
    ]
    return sheet.customer.language == "fr" and writable(*texts)


def render_fast_invoice(operator: Operator, sheet: InvoiceSheet) -> bytes:
    pdf = TextPdf(f"Facture {sheet.number}")
    page = Page(pdf, operator)
    facts = (
        ("number", sheet.number),
        ("issue_date", day(sheet.issue_date)),
        ("due_date", day(sheet.due_date)),
        ("period", _period(sheet.period)),
    )
    heading(page, french("invoice"), facts)
    customer_box(page, sheet.customer)
    _table(page, sheet)
    _totals(page, sheet)
    _verification(page, operator, sheet)
    page.footer()
    return pdf.save()


def _table_head(page: Page) -> None:
    page.pdf.fill_rect(LEFT, page.y - 2 * mm, WIDTH, 6.5 * mm, gray=0.93)
    for i, key in enumerate(HEADS):
        page.text(
            LEFT + 1.5 * mm if i == 0 else LEFT + WIDTH * COLUMNS[i] - 1.5 * mm,
            french(key),
            BOLD,
            8.5,
            right=i > 0,
        )
    page.pdf.line(LEFT, page.y - 2 * mm, RIGHT, page.y - 2 * mm, 0.8)
    page.y -= 7 * mm


def _table(page: Page, sheet: InvoiceSheet) -> None:
    _table_head(page)
    width = WIDTH * COLUMNS[0] - 3 * mm
    for cells in line_rows_text(sheet.lines, sheet.vat_rate):
        described = [
            part for piece in cells[0].split("\n") for part in simpleSplit(piece, REGULAR, 8.5, width)
        ]
        height = len(described) * 3.8 * mm + 2.4 * mm
        if page.need(height + 2 * mm):
            _table_head(page)
        top = page.y
        for part in described:
            page.text(LEFT + 1.5 * mm, part)
            page.y -= 3.8 * mm
        page.y = top
        for i, value in enumerate(cells[1:], start=1):
            page.text(LEFT + WIDTH * COLUMNS[i] - 1.5 * mm, value, right=True)
        page.y = top - height
        page.pdf.line(
            LEFT, page.y + 4.6 * mm, RIGHT, page.y + 4.6 * mm, 0.25
        )  # under the row's last line of text
    page.y -= 3 * mm


def _totals(page: Page, sheet: InvoiceSheet) -> None:
    words = simpleSplit(french("in_words_invoice", words=in_words_fr(sheet.gross)), BOLD, 8.5, WIDTH)
    page.need(3 * 6 * mm + len(words) * 4 * mm + 16 * mm)
    x = RIGHT - WIDTH * 0.48
    rows = (
        (french("total_ht"), money(sheet.net)),
        (f"{french('total_vat')} {percent(sheet.vat_rate)}", money(sheet.tax)),
        (french("total_ttc"), money(sheet.gross)),
    )
    for i, (name, value) in enumerate(rows):
        last = i == len(rows) - 1
        if last:
            page.pdf.fill_rect(x, page.y - 1.8 * mm, WIDTH * 0.48, 5.8 * mm, gray=0.93)
            page.pdf.line(x, page.y + 4 * mm, RIGHT, page.y + 4 * mm, 0.8)
        page.text(x + 1.5 * mm, name, BOLD if last else REGULAR)
        page.text(RIGHT - 1.5 * mm, value, BOLD if last else REGULAR, right=True)
        page.y -= 6 * mm
    page.y -= 4 * mm
    for part in words:
        page.text(LEFT, part, BOLD)
        page.y -= 4 * mm
    page.y -= 1 * mm
    page.text(LEFT, french("pay_by", date=day(sheet.due_date)))
    page.y -= 10 * mm


def _verification(page: Page, operator: Operator, sheet: InvoiceSheet) -> None:
    size = 26 * mm
    page.need(size + 2 * mm)
    digest = invoice_fingerprint(sheet)
    url = f"{operator.verify_url}?number={sheet.number}&sha256={digest}"
    note = simpleSplit(french("verify", url=operator.verify_url), REGULAR, 7, WIDTH * 0.76)
    top = page.y
    for value in (french("fingerprint"), digest, "", *note):
        page.text(LEFT, value, size=7)
        page.y -= 3.2 * mm
    _qr(page.pdf, url, RIGHT - size, top - size + 3 * mm, size)
    page.y = min(page.y, top - size)


def _qr(pdf: TextPdf, payload: str, x: float, y: float, size: float) -> None:
    code = qr_code(payload)
    module = size / code.size
    pdf.module_grid(x, y + size, module, code.runs)


def _period(period: str) -> str:
    year, month = period.split("-")
    return f"{month}/{year}"
