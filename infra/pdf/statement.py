"""The monthly statement: what the customer was billed, credited and paid in a month, and what they owe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from domain.operator import Operator
from infra.pdf import fonts, layout
from infra.pdf.amounts import money, plain
from infra.pdf.invoice import Customer
from infra.pdf.labels import label, stacked

WIDTHS = (0.14, 0.38, 0.16, 0.16, 0.16)


@dataclass(frozen=True)
class StatementEntry:
    on: date
    kind: str  # invoice, credit_note, payment, payment_reversed
    reference: str
    debit: Decimal  # what the customer owes more
    credit: Decimal  # what they owe less


@dataclass(frozen=True)
class StatementSheet:
    month: str  # YYYY-MM
    issue_date: date
    customer: Customer
    opening_balance: Decimal  # owed at the start of the month (negative: in credit)
    entries: list[StatementEntry]

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + sum((e.debit - e.credit for e in self.entries), Decimal("0"))


def _rows(sheet: StatementSheet, language: str) -> list[list[object]]:
    rows, balance = [], sheet.opening_balance
    for entry in sheet.entries:
        balance += entry.debit - entry.credit
        rows.append(
            [
                layout.day(entry.on),
                layout.shaped(f"{label(f'{entry.kind}_entry', language)} {entry.reference}".strip()),
                plain(entry.debit) if entry.debit else "",
                plain(entry.credit) if entry.credit else "",
                plain(balance),
            ]
        )
    return rows


def render_statement(operator: Operator, sheet: StatementSheet) -> bytes:
    fonts.ready()
    language = sheet.customer.language
    year, month = sheet.month.split("-")
    closing = sheet.closing_balance
    head = [stacked(k, language) for k in ("date", "document", "debit", "credit", "balance")]
    story = [
        layout.heading(
            operator,
            stacked("statement", language),
            [
                (label("month", language), f"{month}/{year}"),
                (label("issue_date", language), layout.day(sheet.issue_date)),
            ],
        ),
        Spacer(1, 6 * mm),
        layout.party(language, sheet.customer.name, sheet.customer.address, sheet.customer.identifiers()),
        Spacer(1, 7 * mm),
        layout.totals(
            [(label("opening_balance", language), money(sheet.opening_balance))], strong_last=False
        ),
        Spacer(1, 3 * mm),
        layout.grid(head, _rows(sheet, language), WIDTHS, numeric_from=2),
        Spacer(1, 4 * mm),
        layout.totals(
            [
                (label("closing_balance", language), money(closing)),
                (label("owed" if closing >= 0 else "in_credit", language), money(abs(closing))),
            ]
        ),
    ]
    return layout.build(f"Relevé {sheet.month}", operator, language, story)
