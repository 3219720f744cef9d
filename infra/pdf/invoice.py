"""The invoice ("Facture") and its designations in French, with every mention a Moroccan invoice must carry."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from domain.operator import Operator
from infra.pdf import fonts, layout
from infra.pdf.amounts import in_words_ar, in_words_fr, money, plain
from infra.pdf.labels import arabic, french, label, stacked

LINE_WIDTHS = (0.40, 0.11, 0.12, 0.13, 0.09, 0.15)


@dataclass(frozen=True)
class Customer:
    name: str
    address: str
    cin_masked: str
    ice: str | None = None  # a business customer's ICE, when given
    language: str = "fr"  # fr, or ar: Arabic labels beside the French ones

    def identifiers(self) -> list[str]:
        shown = [f"{french('cin')} {self.cin_masked}"] if self.cin_masked else []
        return shown + ([f"ICE {self.ice}"] if self.ice else [])


@dataclass(frozen=True)
class InvoiceSheet:
    number: str
    period: str
    issue_date: date
    due_date: date
    customer: Customer
    vat_rate: Decimal
    lines: list[dict[str, Any]]
    net: Decimal
    tax: Decimal
    gross: Decimal


def fingerprint(
    kind: str, number: str, issue_date: date, customer: Customer, gross: Decimal, lines: list[dict[str, Any]]
) -> str:
    """The SHA-256 a document's QR code carries: of its issued facts (who it is addressed to, when, each line and the
    total), so it can be printed on the document itself, which a file's own hash cannot be. The verification endpoint
    accepts it, or the stored file's SHA-256."""
    facts = {
        "kind": kind,
        "number": number,
        "issue_date": issue_date.isoformat(),
        "gross": str(gross),
        "customer": [customer.name, customer.address, customer.ice or ""],
        "lines": [{k: str(v) for k, v in sorted(line.items())} for line in lines],
    }
    return hashlib.sha256(orjson.dumps(facts, option=orjson.OPT_SORT_KEYS)).hexdigest()


def invoice_fingerprint(sheet: InvoiceSheet) -> str:
    return fingerprint("invoice", sheet.number, sheet.issue_date, sheet.customer, sheet.gross, sheet.lines)


def designation(line: dict[str, Any]) -> str:
    """The line's designation in French, from its facts (the stored description is for machines and logs)."""
    number = line.get("number", "")
    kind = line["kind"]
    if kind == "recurring":
        served = (
            f"du {_day(line['service_from'])} au {_day(line['service_to'])}" if "service_from" in line else ""
        )
        return f"Abonnement {line.get('offer_name', '')} v{line.get('offer_version', '')} — {number}\n{served}".strip()
    if kind == "activation_fee":
        return f"Frais d'activation — {number}"
    if kind == "early_termination":
        return f"Indemnité de résiliation anticipée — {number}"
    if kind == "discount":
        return f"Remise : {line['description']}" + (f" — {number}" if number else "")
    return line["description"]


def quantity(line: dict[str, Any]) -> str:
    return f"{line['days']}/{line['period_days']} j" if "days" in line else "1"


def unit_price(line: dict[str, Any]) -> str:
    return plain(Decimal(line["monthly_fee"])) if "monthly_fee" in line else plain(Decimal(line["net"]))


def line_rows_text(lines: list[dict[str, Any]], vat_rate: Decimal) -> list[list[str]]:
    """Each line's cells: designation, quantity or days, unit price HT, amount HT, TVA rate, TVA amount."""
    rate = percent(vat_rate)
    return [
        [
            designation(line),
            quantity(line),
            unit_price(line),
            plain(Decimal(line["net"])),
            rate,
            plain(Decimal(line["tax"])),
        ]
        for line in lines
    ]


def line_rows(lines: list[dict[str, Any]], vat_rate: Decimal) -> list[list[object]]:
    return [[layout.text(cells[0]), *cells[1:]] for cells in line_rows_text(lines, vat_rate)]


def line_header(language: str) -> list[list[str]]:
    return [
        stacked(k, language)
        for k in ("designation", "quantity", "unit_price", "amount_ht", "vat_rate", "vat_amount")
    ]


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}".replace(".", ",") + " %"


def total_rows(
    language: str, vat_rate: Decimal, net: Decimal, tax: Decimal, gross: Decimal
) -> list[tuple[str, str]]:
    return [
        (label("total_ht", language), money(net)),
        (f"{label('total_vat', language)} {percent(vat_rate)}", money(tax)),
        (label("total_ttc", language), money(gross)),
    ]


def in_words(kind: str, language: str, gross: Decimal) -> list:
    """The total in words: the French sentence the law asks for, and the Arabic one for a client who prefers it."""
    said = [layout.shaped(french(f"in_words_{kind}", words=in_words_fr(gross)), layout.STRONG)]
    if language == "ar":
        said.append(layout.shaped(arabic(f"in_words_{kind}", words=in_words_ar(gross)), layout.BODY))
    return said


def sentences(key: str, language: str, **values: object) -> list:
    """A sentence in French, and its Arabic version under it for a client who prefers Arabic."""
    said = [layout.shaped(french(key, **values), layout.BODY)]
    return said + ([layout.shaped(arabic(key, **values), layout.BODY)] if language == "ar" else [])


def verification(operator: Operator, number: str, digest: str, language: str) -> layout.Table:
    url = f"{operator.verify_url}?number={number}&sha256={digest}"
    note = [
        layout.shaped(label("fingerprint", language), layout.SMALL),
        layout.shaped(digest, layout.SMALL),
        Spacer(1, 1.5 * mm),
        layout.shaped(french("verify", url=operator.verify_url), layout.SMALL),
    ]
    return layout.beside(note, layout.QrCode(url))


def render_invoice(operator: Operator, sheet: InvoiceSheet) -> bytes:
    fonts.ready()
    language = sheet.customer.language
    facts = [
        (label("number", language), sheet.number),
        (label("issue_date", language), layout.day(sheet.issue_date)),
        (label("due_date", language), layout.day(sheet.due_date)),
        (label("period", language), _period(sheet.period)),
    ]
    story = [
        layout.heading(operator, stacked("invoice", language), facts),
        Spacer(1, 6 * mm),
        layout.party(language, sheet.customer.name, sheet.customer.address, sheet.customer.identifiers()),
        Spacer(1, 7 * mm),
        layout.grid(
            line_header(language), line_rows(sheet.lines, sheet.vat_rate), LINE_WIDTHS, numeric_from=1
        ),
        Spacer(1, 4 * mm),
        layout.totals(total_rows(language, sheet.vat_rate, sheet.net, sheet.tax, sheet.gross)),
        Spacer(1, 5 * mm),
        *in_words("invoice", language, sheet.gross),
        Spacer(1, 2 * mm),
        *sentences("pay_by", language, date=layout.day(sheet.due_date)),
        Spacer(1, 6 * mm),
        verification(operator, sheet.number, invoice_fingerprint(sheet), language),
    ]
    return layout.build(f"Facture {sheet.number}", operator, language, story)


def _day(value: str) -> str:
    return layout.day(date.fromisoformat(value))


def _period(period: str) -> str:
    year, month = period.split("-")
    return f"{month}/{year}"
