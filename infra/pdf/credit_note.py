"""The credit note ("Avoir"): which invoice it corrects, why, the lines credited and their totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from domain.operator import Operator
from infra.pdf import fonts, layout
from infra.pdf.amounts import plain
from infra.pdf.invoice import (
    LINE_WIDTHS,
    Customer,
    designation,
    fingerprint,
    in_words,
    line_header,
    percent,
    quantity,
    total_rows,
    verification,
)
from infra.pdf.labels import label, stacked


@dataclass(frozen=True)
class CreditNoteSheet:
    number: str
    issue_date: date
    invoice_number: str
    invoice_issue_date: date
    reason: str
    customer: Customer
    vat_rate: Decimal
    lines: list[dict[str, Any]]  # line_no, net, tax, gross credited
    invoice_lines: dict[int, dict[str, Any]]  # the invoice's lines by number, for their designations
    net: Decimal
    tax: Decimal
    gross: Decimal


def credit_note_fingerprint(sheet: CreditNoteSheet) -> str:
    return fingerprint(
        "credit_note", sheet.number, sheet.issue_date, sheet.customer, sheet.gross, sheet.lines
    )


def _rows(sheet: CreditNoteSheet) -> list[list[object]]:
    rows = []
    for line in sheet.lines:
        original = sheet.invoice_lines.get(line["line_no"], {"kind": "", "description": line["description"]})
        rows.append(
            [
                layout.text(designation(original)),
                quantity(original),
                plain(Decimal(line["net"])),
                plain(Decimal(line["net"])),
                percent(sheet.vat_rate),
                plain(Decimal(line["tax"])),
            ]
        )
    return rows


def render_credit_note(operator: Operator, sheet: CreditNoteSheet) -> bytes:
    fonts.ready()
    language = sheet.customer.language
    facts = [
        (label("number", language), sheet.number),
        (label("issue_date", language), layout.day(sheet.issue_date)),
        (
            label("original_invoice", language),
            f"{sheet.invoice_number} ({layout.day(sheet.invoice_issue_date)})",
        ),
    ]
    story = [
        layout.heading(operator, stacked("credit_note", language), facts),
        Spacer(1, 6 * mm),
        layout.party(language, sheet.customer.name, sheet.customer.address, sheet.customer.identifiers()),
        Spacer(1, 5 * mm),
        layout.shaped(f"{label('reason', language)} :", layout.STRONG),
        layout.text(sheet.reason),
        Spacer(1, 4 * mm),
        layout.grid(line_header(language), _rows(sheet), LINE_WIDTHS, numeric_from=1),
        Spacer(1, 4 * mm),
        layout.totals(total_rows(language, sheet.vat_rate, sheet.net, sheet.tax, sheet.gross)),
        Spacer(1, 5 * mm),
        *in_words("credit_note", language, sheet.gross),
        Spacer(1, 8 * mm),
        verification(operator, sheet.number, credit_note_fingerprint(sheet), language),
    ]
    return layout.build(f"Avoir {sheet.number}", operator, language, story)
