"""The invoice PDF shows what SPEC asks for, renders the same bytes for the same invoice, and the
sample in docs/ is the current rendering (regenerate it with `python -m tests.unit.test_invoice_pdf`)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from infra.contract_pdf import Operator
from infra.invoice_pdf import InvoiceSheet, render_invoice

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "sample-invoice.pdf"
OPERATOR = Operator("MT-Facturation Telecom SA", "Avenue Mohammed VI, Rabat, Maroc", "RC Rabat 000000 - ICE 000000000000000")


def _line(no: int, kind: str, description: str, net: str, tax: str, **detail) -> dict:
    return {"line_no": no, "kind": kind, "description": description, "net": net, "tax": tax,
            "gross": str(Decimal(net) + Decimal(tax)), **detail}


def sample_sheet() -> InvoiceSheet:
    month = {"period_days": 31}
    lines = [
        _line(1, "activation_fee", "Activation fee - +212612345678", "50.00", "10.00"),
        _line(2, "recurring", "Mobile 20 Go v1 - +212612345678", "47.90", "9.58", days=15, service_from="2026-10-01",
              service_to="2026-10-15", monthly_fee="99.00", **month),
        _line(3, "recurring", "Mobile 50 Go v1 - +212612345678", "76.90", "15.38", days=16, service_from="2026-10-16",
              service_to="2026-10-31", monthly_fee="149.00", **month),
        _line(4, "recurring", "Fibre 100 v2 - +212537123456", "299.00", "59.80", days=31, service_from="2026-10-01",
              service_to="2026-10-31", monthly_fee="299.00", **month),
        _line(5, "discount", "Loyalty (10%)", "-42.38", "-8.48"),
    ]
    net = sum(Decimal(line["net"]) for line in lines)
    tax = sum(Decimal(line["tax"]) for line in lines)
    return InvoiceSheet("FAC-2026-000042", "2026-10", date(2026, 11, 2), date(2026, 12, 2), "Amina Benali", "AB****56",
                        "12 Av. Hassan II, Rabat", Decimal("0.20"), lines, net, tax, net + tax)


def test_the_pdf_shows_identity_lines_totals_number_and_dates():
    text = PdfReader(io.BytesIO(render_invoice(OPERATOR, sample_sheet()))).pages[0].extract_text()
    for expected in ("MT-Facturation Telecom SA", "Invoice FAC-2026-000042", "Period 2026-10", "Issued 2026-11-02", "due 2026-12-02",
                     "Amina Benali", "CIN AB****56", "15/31", "16/31", "47.90", "76.90", "-42.38", "431.42", "86.28", "517.70"):
        assert expected in text, expected
    assert "AB123456" not in text


def test_the_same_invoice_renders_the_same_bytes_and_the_docs_sample_is_current():
    first, second = render_invoice(OPERATOR, sample_sheet()), render_invoice(OPERATOR, sample_sheet())
    assert first == second
    assert SAMPLE.read_bytes() == first, "docs/sample-invoice.pdf is stale: python -m tests.unit.test_invoice_pdf"


def test_a_long_invoice_flows_onto_more_pages():
    sheet = sample_sheet()
    many = [dict(sheet.lines[1], line_no=n) for n in range(1, 61)]
    pages = PdfReader(io.BytesIO(render_invoice(OPERATOR, InvoiceSheet(**{**vars(sheet), "lines": many})))).pages
    texts = [page.extract_text() for page in pages]
    assert len(pages) >= 2 and sum(t.count("Mobile 20 Go v1") for t in texts) == 60
    assert "Total incl. VAT" in texts[-1] and not any("Total incl. VAT" in t for t in texts[:-1])


if __name__ == "__main__":
    SAMPLE.write_bytes(render_invoice(OPERATOR, sample_sheet()))
    print(f"wrote {SAMPLE}")
