"""The layout every document shares: the seller's block and the document's title and facts at the top, the customer,
tables, a QR code, and a footer with the seller's legal mentions and the page number on every page."""

from __future__ import annotations

import io
from datetime import date
from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from domain.operator import Operator
from infra.pdf import fonts
from infra.pdf.labels import label, stacked
from infra.pdf.qr import qr_code

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
INK, RULE, SHADE = colors.HexColor("#1b2733"), colors.HexColor("#9aa7b4"), colors.HexColor("#eef2f6")

BODY = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=8.5, leading=11, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7, leading=9)
STRONG = ParagraphStyle("strong", parent=BODY, fontName=fonts.BOLD)
SELLER = ParagraphStyle("seller", parent=BODY, fontName=fonts.BOLD, fontSize=13, leading=16)
TITLE = ParagraphStyle("title", parent=BODY, fontName=fonts.BOLD, fontSize=15, leading=19, alignment=TA_RIGHT)
RIGHT = ParagraphStyle("right", parent=BODY, alignment=TA_RIGHT)
RIGHT_STRONG = ParagraphStyle("right-strong", parent=STRONG, alignment=TA_RIGHT)


def table_style(commands: list) -> TableStyle:
    """A table's style, in the documents' font: a table left to its default would name Helvetica in every page."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR), *commands])


def text(value: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped; Arabic shaped for drawing)."""
    return Paragraph(escape(fonts.visual(value)), style)


def shaped(value: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of text already shaped (labels), escaped."""
    return Paragraph(escape(value), style)


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def heading(operator: Operator, title: list[str], facts: Sequence[tuple[str, str]]) -> Table:
    """The seller at the left, the document's title (French, then Arabic) and its facts (number, dates) at the right."""
    seller = [
        text(operator.name, SELLER),
        text(operator.address),
        text(f"ICE {operator.ice} · IF {operator.tax_id}", SMALL),
        text(f"RC {operator.trade_register} · Patente {operator.patente}", SMALL),
        text(f"Capital {operator.capital}", SMALL),
    ]
    document = [*(shaped(part, TITLE) for part in title), Spacer(1, 2 * mm)]
    document += [shaped(f"{name} : {value}", RIGHT) for name, value in facts]
    table = Table([[seller, document]], colWidths=[WIDTH * 0.55, WIDTH * 0.45])
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def party(language: str, name: str, address: str, extra: Sequence[str] = ()) -> Table:
    """The customer's block, framed, at the right half of the page as on a letter."""
    rows = [
        [[shaped(part, SMALL) for part in stacked("customer", language)]],
        [text(name, STRONG)],
        [text(address)],
        *([text(e)] for e in extra),
    ]
    box = Table(rows, colWidths=[WIDTH * 0.45])
    box.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    outer = Table([[Spacer(1, 1), box]], colWidths=[WIDTH * 0.55, WIDTH * 0.45])
    outer.setStyle(table_style([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return outer


def grid(
    header: Sequence[list[str]], rows: Sequence[Sequence[object]], widths: Sequence[float], numeric_from: int
) -> Table:
    """A ruled table with a shaded header row (each head a French label over its Arabic one), repeated on each page;
    columns from `numeric_from` hold figures, drawn as plain right-aligned strings: a paragraph per figure made the
    invoice much slower to lay out."""
    head = [
        [shaped(part, RIGHT_STRONG if i >= numeric_from else STRONG) for part in h]
        for i, h in enumerate(header)
    ]
    body = [
        [
            cell if isinstance(cell, Flowable) or i >= numeric_from else text(str(cell))
            for i, cell in enumerate(row)
        ]
        for row in rows
    ]
    table = Table([head, *body], colWidths=[WIDTH * w for w in widths], repeatRows=1)
    table.setStyle(
        table_style(
            [
                ("FONTSIZE", (0, 1), (-1, -1), BODY.fontSize),
                ("TEXTCOLOR", (0, 1), (-1, -1), INK),
                ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def totals(rows: Sequence[tuple[str, str]], strong_last: bool = True) -> Table:
    """Label and amount pairs, at the right, the last one stressed."""
    body = [
        [
            shaped(name, STRONG if strong_last and i == len(rows) - 1 else BODY),
            shaped(value, RIGHT_STRONG if strong_last and i == len(rows) - 1 else RIGHT),
        ]
        for i, (name, value) in enumerate(rows)
    ]
    table = Table(body, colWidths=[WIDTH * 0.3, WIDTH * 0.18], hAlign="RIGHT")
    table.setStyle(
        table_style([("LINEABOVE", (0, -1), (-1, -1), 0.8, INK), ("BACKGROUND", (0, -1), (-1, -1), SHADE)])
    )
    return table


class QrCode(Flowable):
    """A QR code, drawn as one filled path of its dark runs."""

    def __init__(self, payload: str, size: float = 26 * mm) -> None:
        super().__init__()
        self.code = qr_code(payload)
        self.width = self.height = size

    def draw(self) -> None:
        module = self.width / self.code.size
        runs = "".join(f"{column} {-row - 1} {length} 1 re\n" for row, column, length in self.code.runs)
        # One path in the code's own integer units under one scaling, filled once: a rectangle call per run cost more
        # than the rest of the table.
        self.canv.addLiteral(f"q 0 g {module:.4f} 0 0 {module:.4f} 0 {self.height:.4f} cm\n{runs}f Q")


def beside(left: Flowable | list, right: Flowable | list, left_share: float = 0.78) -> Table:
    table = Table([[left, right]], colWidths=[WIDTH * left_share, WIDTH * (1 - left_share)])
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def build(title: str, operator: Operator, language: str, story: list) -> bytes:
    """The PDF: A4, the story flowing over as many pages as it needs, fonts embedded, the same bytes for the
    same story."""
    fonts.ready()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=22 * mm,
        title=title,
        author=operator.name,
        creator="MT-Facturation",
        invariant=1,
        initialFontName=fonts.REGULAR,
    )  # else each page names Helvetica, which is not embedded
    footer = [
        fonts.visual(f"{operator.name} · {operator.address}"),
        f"ICE {operator.ice} · IF {operator.tax_id} · RC {operator.trade_register} · Patente {operator.patente} · "
        f"Capital {operator.capital}",
    ]

    def decorate(canvas, document) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, 15 * mm, A4[0] - MARGIN, 15 * mm)
        canvas.setFont(fonts.REGULAR, 6.5)
        canvas.setFillColor(INK)
        canvas.drawString(MARGIN, 11.5 * mm, footer[0])
        canvas.drawString(MARGIN, 8.5 * mm, footer[1])
        canvas.drawRightString(A4[0] - MARGIN, 11.5 * mm, label("page", language, page=document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
