"""The contract sheet: the subscription (or the plan change) as the customer signed up for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from domain.operator import Operator
from infra.pdf import fonts, layout
from infra.pdf.amounts import money
from infra.pdf.invoice import Customer
from infra.pdf.labels import french, label, stacked

UNITS = {"gb": "Go", "hours": "h", "mbps": "Mbit/s"}
KINDS = {
    "data": "Data",
    "calls": "Appels",
    "fiber": "Fibre",
    "adsl": "ADSL",
    "landline": "Ligne fixe",
    "national": "Appels nationaux",
    "international": "Appels internationaux",
    "phone": "Appels vers mobiles",
}


@dataclass(frozen=True)
class ContractSheet:
    contract_number: str  # the customer's reference
    reason: str  # "provisioning" or "plan_change"
    customer: Customer
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
    kind = KINDS.get(component["kind"], component["kind"])
    for unit, shown in UNITS.items():
        if unit in component:
            return f"{kind} {component[unit]} {shown}"
    return f"{kind} (illimité)" if component["kind"] == "landline" else kind


def rows(sheet: ContractSheet) -> list[tuple[str, str]]:
    commitment = (
        french("months", n=sheet.commitment_months) if sheet.commitment_months else french("no_commitment")
    )
    return [
        ("reference", sheet.contract_number),
        ("service", french(sheet.service)),
        ("line_number", sheet.number),
        ("offer", f"{sheet.offer_name} (version {sheet.offer_version})"),
        ("components", ", ".join(describe(c) for c in sheet.components)),
        ("monthly_fee", money(sheet.monthly_fee)),
        ("activation_fee", money(sheet.activation_fee)),
        ("commitment", commitment),
        ("effective_date", layout.day(sheet.effective_date)),
    ]


def render_contract(operator: Operator, sheet: ContractSheet) -> bytes:
    fonts.ready()
    language = sheet.customer.language
    title = stacked("contract" if sheet.reason == "provisioning" else "plan_change", language)
    body = [
        [[layout.shaped(part, layout.STRONG) for part in stacked(key, language)], layout.text(value)]
        for key, value in rows(sheet)
    ]
    table = Table(body, colWidths=[layout.WIDTH * 0.3, layout.WIDTH * 0.7])
    table.setStyle(
        layout.table_style(
            [("LINEBELOW", (0, 0), (-1, -1), 0.25, layout.RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story = [
        layout.heading(
            operator,
            title,
            [
                (label("reference", language), sheet.contract_number),
                (label("date", language), layout.day(sheet.effective_date)),
            ],
        ),
        Spacer(1, 6 * mm),
        layout.party(language, sheet.customer.name, sheet.customer.address, sheet.customer.identifiers()),
        Spacer(1, 8 * mm),
        table,
    ]
    return layout.build(f"Contrat {sheet.contract_number}", operator, language, story)
