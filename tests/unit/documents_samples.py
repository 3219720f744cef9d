"""The sample documents: an operator, customers in French and in Arabic, and one document of each kind.

`python -m tests.unit.documents_samples` rewrites docs/sample-*.pdf and their previews docs/images/sample-*.png
(rendered by Debian's pdftoppm), which tests/unit/test_documents_pdf.py keeps current.
"""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Callable

from domain.operator import Operator
from infra.pdf.choice import contract_pdf, invoice_pdf
from infra.pdf.contract import ContractSheet
from infra.pdf.credit_note import CreditNoteSheet, render_credit_note
from infra.pdf.invoice import Customer, InvoiceSheet
from infra.pdf.statement import StatementEntry, StatementSheet, render_statement

DOCS = Path(__file__).resolve().parents[2] / "docs"
OPERATOR = Operator(
    "MT-Facturation Telecom SA",
    "Avenue Mohammed VI, Rabat, Maroc",
    "001234567000089",
    "12345678",
    "Rabat 123456",
    "25123456",
    "10 000 000 MAD",
    "https://factures.mt-facturation.ma/api/v1/documents/verify",
)
AMINA = Customer("Amina Benali", "12 Av. Hassan II, Rabat", "AB****56", "001525478000032", "fr")
MERYEM = Customer("مريم العلوي", "حي الرياض، زنقة النخيل، الرباط", "QA****21", None, "ar")
MONTH = {"period_days": 31}


def _line(no: int, kind: str, description: str, net: str, tax: str, **detail) -> dict:
    return {
        "line_no": no,
        "kind": kind,
        "description": description,
        "net": net,
        "tax": tax,
        "gross": str(Decimal(net) + Decimal(tax)),
        **detail,
    }


LINES = [
    _line(
        1,
        "activation_fee",
        "Activation fee - +212612345678",
        "50.00",
        "10.00",
        number="+212612345678",
        service="mobile",
    ),
    _line(
        2,
        "recurring",
        "Mobile 20 Go v1 - +212612345678",
        "47.90",
        "9.58",
        days=15,
        service_from="2026-10-01",
        service_to="2026-10-15",
        monthly_fee="99.00",
        offer_name="Mobile 20 Go",
        offer_version=1,
        number="+212612345678",
        service="mobile",
        **MONTH,
    ),
    _line(
        3,
        "recurring",
        "Mobile 50 Go v1 - +212612345678",
        "76.90",
        "15.38",
        days=16,
        service_from="2026-10-16",
        service_to="2026-10-31",
        monthly_fee="149.00",
        offer_name="Mobile 50 Go",
        offer_version=1,
        number="+212612345678",
        service="mobile",
        **MONTH,
    ),
    _line(
        4,
        "recurring",
        "Fibre 100 v2 - +212537123456",
        "1299.00",
        "259.80",
        days=31,
        service_from="2026-10-01",
        service_to="2026-10-31",
        monthly_fee="1299.00",
        offer_name="Fibre 100",
        offer_version=2,
        number="+212537123456",
        service="internet",
        **MONTH,
    ),
    _line(5, "discount", "Fidélité (10%)", "-137.58", "-27.52"),
]


def invoice_sheet(customer: Customer = AMINA, lines: list[dict] | None = None) -> InvoiceSheet:
    lines = LINES if lines is None else lines
    net = sum(Decimal(line["net"]) for line in lines)
    tax = sum(Decimal(line["tax"]) for line in lines)
    return InvoiceSheet(
        "FAC-2026-000042",
        "2026-10",
        date(2026, 11, 2),
        date(2026, 12, 2),
        customer,
        Decimal("0.20"),
        lines,
        net,
        tax,
        net + tax,
    )


def credit_note_sheet(customer: Customer = AMINA) -> CreditNoteSheet:
    credited = [
        {
            "line_no": 2,
            "description": LINES[1]["description"],
            "net": "47.90",
            "tax": "9.58",
            "gross": "57.48",
        }
    ]
    return CreditNoteSheet(
        "AV-2026-000007",
        date(2026, 11, 10),
        "FAC-2026-000042",
        date(2026, 11, 2),
        "Geste commercial : coupure réseau du 12 octobre",
        customer,
        Decimal("0.20"),
        credited,
        {line["line_no"]: line for line in LINES},
        Decimal("47.90"),
        Decimal("9.58"),
        Decimal("57.48"),
    )


def contract_sheet(customer: Customer = MERYEM) -> ContractSheet:
    return ContractSheet(
        "CT-QBT8R-D9KEV",
        "provisioning",
        customer,
        "mobile",
        "+212612345678",
        "Mobile Confort 30 Go",
        1,
        [{"kind": "data", "gb": 30}, {"kind": "calls", "hours": 10}],
        Decimal("149.00"),
        Decimal("50.00"),
        12,
        date(2026, 12, 7),
    )


def statement_sheet(customer: Customer = AMINA) -> StatementSheet:
    entries = [
        StatementEntry(date(2026, 11, 2), "invoice", "FAC-2026-000042", Decimal("1603.46"), Decimal("0")),
        StatementEntry(date(2026, 11, 10), "credit_note", "AV-2026-000007", Decimal("0"), Decimal("57.48")),
        StatementEntry(date(2026, 11, 20), "payment", "VIR-88412", Decimal("0"), Decimal("1000.00")),
    ]
    return StatementSheet("2026-11", date(2026, 11, 30), customer, Decimal("120.00"), entries)


SAMPLES: dict[str, Callable[[], bytes]] = {
    "sample-invoice": lambda: invoice_pdf(OPERATOR, invoice_sheet()),
    "sample-invoice-ar": lambda: invoice_pdf(OPERATOR, invoice_sheet(MERYEM)),
    "sample-credit-note": lambda: render_credit_note(OPERATOR, credit_note_sheet()),
    "sample-contract": lambda: contract_pdf(OPERATOR, contract_sheet()),
    "sample-contract-fr": lambda: contract_pdf(OPERATOR, contract_sheet(AMINA)),
    "sample-statement": lambda: render_statement(OPERATOR, statement_sheet()),
}
PREVIEW_DPI = 60


def preview(pdf: bytes, dpi: int = PREVIEW_DPI) -> bytes:
    """The first page as a PNG, by Debian's pdftoppm (poppler-utils)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(source), str(Path(folder) / "page")],
            check=True,
        )
        return (Path(folder) / "page.png").read_bytes()


def write_samples() -> None:
    for name, render in SAMPLES.items():
        pdf = render()
        (DOCS / f"{name}.pdf").write_bytes(pdf)
        (DOCS / "images" / f"{name}.png").write_bytes(preview(pdf))
        print(f"wrote docs/{name}.pdf and docs/images/{name}.png")


if __name__ == "__main__":
    write_samples()
