"""Renders a contract document. The same inputs give the same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm

from infra.text_pdf import A4, TextPdf


@dataclass(frozen=True)
class Operator:
    name: str
    address: str
    registration: str


@dataclass(frozen=True)
class ContractSheet:
    contract_number: str
    reason: str  # "provisioning" or "plan_change"
    client_name: str
    client_cin_masked: str
    client_address: str
    service: str
    number: str
    offer_name: str
    offer_version: int
    components: list[dict[str, Any]]
    monthly_fee: Decimal
    activation_fee: Decimal
    commitment_months: int
    effective_date: date


def describe(component: dict[str, Any]) -> str:
    kind = component["kind"]
    for unit, label in (("gb", "GB"), ("hours", "h"), ("mbps", "Mbps")):
        if unit in component:
            return f"{kind} {component[unit]} {label}"
    return f"{kind} (always on)" if kind == "landline" else kind


def render(operator: Operator, sheet: ContractSheet) -> bytes:
    pdf = TextPdf(f"Contract {sheet.contract_number}")
    y = _header(pdf, operator, sheet)
    rows = [
        ("Client", f"{sheet.client_name}  (CIN {sheet.client_cin_masked})"),
        ("Address", sheet.client_address),
        ("Service", sheet.service),
        ("Number", sheet.number),
        ("Offer", f"{sheet.offer_name} (version {sheet.offer_version})"),
        ("Components", ", ".join(describe(c) for c in sheet.components)),
        ("Monthly fee", f"{sheet.monthly_fee} MAD excl. VAT"),
        ("Activation fee", f"{sheet.activation_fee} MAD"),
        ("Commitment", f"{sheet.commitment_months} months"),
        ("Effective date", sheet.effective_date.isoformat()),
    ]
    for label, value in rows:
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(20 * mm, y, label)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(60 * mm, y, value[:95])
        y -= 8 * mm
    return pdf.save()


def draw_operator(pdf: TextPdf, operator: Operator) -> float:
    """The operator's identity at the top left of every document; returns the top line's height."""
    top = A4[1] - 20 * mm
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(20 * mm, top, operator.name)
    pdf.setFont("Helvetica", 9)
    pdf.drawString(20 * mm, top - 6 * mm, operator.address)
    pdf.drawString(20 * mm, top - 11 * mm, operator.registration)
    return top


def _header(pdf: TextPdf, operator: Operator, sheet: ContractSheet) -> float:
    top = draw_operator(pdf, operator)
    pdf.setFont("Helvetica-Bold", 12)
    title = "Subscription contract" if sheet.reason == "provisioning" else "Plan change"
    pdf.drawString(20 * mm, top - 24 * mm, f"{title} - contract {sheet.contract_number}")
    return top - 36 * mm
