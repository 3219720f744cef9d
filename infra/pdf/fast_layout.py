"""The blocks the fast writers share, drawn with the standard Helvetica fonts: a cursor down the page that starts new
pages with the legal footer, the seller and the document's title and facts, and the customer's box. They mirror the
platypus blocks of infra/pdf/layout.py, in the same places."""

from __future__ import annotations

from datetime import date
from typing import Sequence

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit

from domain.operator import Operator
from infra.pdf.invoice import Customer
from infra.pdf.labels import french
from infra.pdf.text_pdf import A4, TextPdf

LEFT, RIGHT, TOP, BOTTOM = 18 * mm, A4[0] - 18 * mm, A4[1] - 18 * mm, 24 * mm
WIDTH = RIGHT - LEFT
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"


def writable(*texts: str) -> bool:
    """Whether the standard fonts can print every one of these texts as it is."""
    return all(TextPdf.encodes(text) for text in texts)


def operator_texts(operator: Operator) -> list[str]:
    return [operator.name, operator.address, operator.trade_register, operator.capital]


class Page:
    """A cursor down the page, starting a new page (after drawing the footer) when the bottom is reached."""

    def __init__(self, pdf: TextPdf, operator: Operator) -> None:
        self.pdf, self.operator, self.y, self.number = pdf, operator, TOP, 1

    def text(self, x: float, value: str, font: str = REGULAR, size: float = 8.5, right: bool = False) -> None:
        self.pdf.setFont(font, size)
        (self.pdf.drawRightString if right else self.pdf.drawString)(x, self.y, value)

    def footer(self) -> None:
        pdf, op = self.pdf, self.operator
        pdf.line(LEFT, 15 * mm, RIGHT, 15 * mm, 0.5)
        pdf.setFont(REGULAR, 6.5)
        pdf.drawString(LEFT, 11.5 * mm, f"{op.name} · {op.address}")
        pdf.drawString(
            LEFT,
            8.5 * mm,
            f"ICE {op.ice} · IF {op.tax_id} · RC {op.trade_register} · Patente {op.patente} · Capital {op.capital}",
        )
        pdf.drawRightString(RIGHT, 11.5 * mm, french("page", page=self.number))

    def need(self, height: float) -> bool:
        """Whether a new page was started to find `height` below the cursor."""
        if self.y - height >= BOTTOM:
            return False
        self.footer()
        self.pdf.showPage()
        self.y, self.number = TOP, self.number + 1
        return True


def heading(page: Page, title: str, facts: Sequence[tuple[str, str]]) -> None:
    """The seller at the left; the title and the document's facts (`label : value`) at the right."""
    op = page.operator
    top = page.y
    for value, font, size, step in (
        (op.name, BOLD, 13, 5.5),
        (op.address, REGULAR, 8.5, 4),
        (f"ICE {op.ice} · IF {op.tax_id}", REGULAR, 7, 3.3),
        (f"RC {op.trade_register} · Patente {op.patente}", REGULAR, 7, 3.3),
        (f"Capital {op.capital}", REGULAR, 7, 3.3),
    ):
        page.text(LEFT, value, font, size)
        page.y -= step * mm
    left_end, page.y = page.y, top
    page.text(RIGHT, title, BOLD, 15, right=True)
    page.y -= 7.5 * mm
    for key, value in facts:
        page.text(RIGHT, f"{french(key)} : {value}", right=True)
        page.y -= 4 * mm
    page.y = min(page.y, left_end) - 6 * mm


def customer_box(page: Page, customer: Customer) -> None:
    x, width = LEFT + WIDTH * 0.55, WIDTH * 0.45
    address = simpleSplit(customer.address, REGULAR, 8.5, width - 4 * mm)
    rows = [
        (french("customer"), REGULAR, 7),
        (customer.name, BOLD, 8.5),
        *((a, REGULAR, 8.5) for a in address),
        *((i, REGULAR, 8.5) for i in customer.identifiers()),
    ]
    height = len(rows) * 4 * mm + 2 * mm
    page.pdf.stroke_rect(x, page.y - height + 3 * mm, width, height)
    for value, font, size in rows:
        page.text(x + 2 * mm, value, font, size)
        page.y -= 4 * mm
    page.y -= 8 * mm


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")
