"""Renders an issued invoice as a PDF. The same invoice gives the same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm

from infra.contract_pdf import Operator, draw_operator
from infra.text_pdf import A4, TextPdf

COLUMNS = ((20, "Description"), (112, "Days"), (128, "Net"), (152, "VAT"), (172, "Total"))
BOTTOM = 30 * mm


@dataclass(frozen=True)
class InvoiceSheet:
    number: str
    period: str
    issue_date: date
    due_date: date
    client_name: str
    client_cin_masked: str
    client_address: str
    vat_rate: Decimal
    lines: list[dict[str, Any]]
    net: Decimal
    tax: Decimal
    gross: Decimal


def render_invoice(operator: Operator, sheet: InvoiceSheet) -> bytes:
    pdf = TextPdf(f"Invoice {sheet.number}")
    y = _header(pdf, operator, sheet)
    for line in sheet.lines:
        if y < BOTTOM + 30 * mm:
            pdf.showPage()
            y = _table_head(pdf, A4[1] - 25 * mm)
        y = _line(pdf, line, y)
    _totals(pdf, sheet, y - 4 * mm)
    return pdf.save()


def _header(pdf: TextPdf, operator: Operator, sheet: InvoiceSheet) -> float:
    top = draw_operator(pdf, operator)
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawRightString(190 * mm, top, f"Invoice {sheet.number}")
    pdf.setFont("Helvetica", 9)
    pdf.drawRightString(190 * mm, top - 6 * mm, f"Period {sheet.period}")
    pdf.drawRightString(190 * mm, top - 11 * mm, f"Issued {sheet.issue_date.isoformat()}  -  due {sheet.due_date.isoformat()}")
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(20 * mm, top - 24 * mm, sheet.client_name)
    pdf.setFont("Helvetica", 9)
    pdf.drawString(20 * mm, top - 29 * mm, f"CIN {sheet.client_cin_masked}")
    pdf.drawString(20 * mm, top - 34 * mm, sheet.client_address[:100])
    return _table_head(pdf, top - 48 * mm)


def _table_head(pdf: TextPdf, y: float) -> float:
    pdf.setFont("Helvetica-Bold", 9)
    for x, title in COLUMNS:
        (pdf.drawString if x == 20 else pdf.drawRightString)((x if x == 20 else x + 12) * mm, y, title)
    pdf.line(20 * mm, y - 2 * mm, 190 * mm, y - 2 * mm)
    return y - 7 * mm


def _line(pdf: TextPdf, line: dict[str, Any], y: float) -> float:
    pdf.setFont("Helvetica", 9)
    pdf.drawString(20 * mm, y, line["description"][:58])
    days = f"{line['days']}/{line['period_days']}" if "days" in line else ""
    for (x, _), value in zip(COLUMNS[1:], (days, line["net"], line["tax"], line["gross"])):
        pdf.drawRightString((x + 12) * mm, y, value)
    if "service_from" in line:
        pdf.setFont("Helvetica", 7)
        pdf.drawString(24 * mm, y - 3.5 * mm, f"{line['service_from']} to {line['service_to']}, {line['monthly_fee']} MAD/month")
        return y - 9 * mm
    return y - 6 * mm


def _totals(pdf: TextPdf, sheet: InvoiceSheet, y: float) -> None:
    pdf.line(120 * mm, y + 2 * mm, 190 * mm, y + 2 * mm)
    rate = f"{(sheet.vat_rate * 100).normalize():f}%"
    for label, value, font in (
        ("Total excl. VAT", sheet.net, "Helvetica"),
        (f"VAT (TVA {rate})", sheet.tax, "Helvetica"),
        ("Total incl. VAT (MAD)", sheet.gross, "Helvetica-Bold"),
    ):
        y -= 6 * mm
        pdf.setFont(font, 10)
        pdf.drawString(120 * mm, y, label)
        pdf.drawRightString(190 * mm, y, str(value))
    pdf.setFont("Helvetica", 8)
    pdf.drawString(20 * mm, BOTTOM - 10 * mm, f"Payment due by {sheet.due_date.isoformat()}. Amounts in Moroccan dirhams (MAD).")
