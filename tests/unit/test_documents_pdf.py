"""The documents carry what a Moroccan customer and a tax inspector need, in French and in Arabic, look as they
should (compared with reference images), and the samples in docs/ are the current rendering.

After an intended change of layout: `python -m tests.unit.documents_samples`, look at docs/images/sample-*.png, commit.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import replace
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image, ImageChops
from pypdf import PdfReader

from infra.pdf import fast_contract
from infra.pdf.amounts import in_words_fr, money
from infra.pdf.choice import contract_pdf, invoice_pdf
from infra.pdf.contract import render_contract
from infra.pdf.credit_note import credit_note_fingerprint, render_credit_note
from infra.pdf.fast_invoice import can_render
from infra.pdf.invoice import invoice_fingerprint, render_invoice
from infra.pdf.statement import render_statement
from tests.unit.documents_samples import (
    AMINA,
    DOCS,
    LINES,
    MERYEM,
    OPERATOR,
    SAMPLES,
    contract_sheet,
    credit_note_sheet,
    invoice_sheet,
    preview,
    statement_sheet,
)

NBSP = "\u00a0"
LEGAL = (
    "MT-Facturation Telecom SA",
    "Avenue Mohammed VI, Rabat, Maroc",
    "ICE 001234567000089",
    "IF 12345678",
    "RC Rabat 123456",
    "Patente 25123456",
    "Capital 10 000 000 MAD",
)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(NBSP, " ")


def _arabic_lines(text: str) -> list[str]:
    """Each extracted line as a reader would read it: the joined presentation forms back to letters (pypdf already
    puts right-to-left runs back in reading order)."""
    return [unicodedata.normalize("NFKC", line) for line in text.splitlines()]


def _embedded_fonts(pdf: bytes) -> dict[str, bool]:
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            fonts[font["/BaseFont"]] = bool(descriptor and descriptor.get_object().get("/FontFile2"))
    return fonts


@pytest.mark.parametrize("customer", [AMINA, MERYEM], ids=["fr-fast-writer", "ar-reportlab"])
def test_an_invoice_carries_every_legal_mention_line_and_total(customer):
    text = _text(invoice_pdf(OPERATOR, invoice_sheet(customer)))
    expected = [
        *LEGAL,
        "FACTURE",
        "FAC-2026-000042",
        "02/11/2026",
        "02/12/2026",
        "10/2026",
        customer.cin_masked,
        "Désignation",
        "Qté / jours",
        "P.U. HT",
        "Montant HT",
        "TVA %",
        "Montant TVA",
        "20 %",
        "Frais d'activation — +212612345678",
        "Abonnement Mobile 20 Go v1",
        "du 01/10/2026 au 15/10/2026",
        "15/31 j",
        "99,00",
        "47,90",
        "1 299,00",
        "20 %",
        "Remise : Fidélité (10%)",
        "-137,58",
        "Total HT",
        "1 336,22 MAD",
        "TVA",
        "267,24 MAD",
        "Total TTC",
        "1 603,46 MAD",
        "Arrêtée la présente facture à la somme de",
        "mille six cent trois dirhams",
        "quarante-six centimes",
        "Empreinte SHA-256",
        invoice_fingerprint(invoice_sheet(customer)),
    ]
    flat = re.sub(r"\s+", " ", text)
    assert [e for e in expected if e not in flat] == []
    assert "AB123456" not in text and "?" not in text.replace("?number", "")


def test_a_business_customer_s_ice_is_printed():
    assert "ICE 001525478000032" in _text(invoice_pdf(OPERATOR, invoice_sheet(AMINA)))


def test_an_arabic_name_and_address_come_out_as_arabic_text_with_the_arabic_labels():
    pdf = invoice_pdf(OPERATOR, invoice_sheet(MERYEM))
    read = _arabic_lines(_text(pdf))
    for arabic in ("مريم العلوي", "حي الرياض، زنقة النخيل، الرباط", "فاتورة", "المجموع بالرسوم"):
        assert any(arabic in line for line in read), arabic
    assert any("ألف" in line and "درهم" in line for line in read)


def test_the_reportlab_documents_embed_their_font_and_the_fast_writer_uses_the_standard_one():
    arabic = _embedded_fonts(invoice_pdf(OPERATOR, invoice_sheet(MERYEM)))
    assert arabic and all(arabic.values()), arabic  # every font embedded (TrueType, subset)
    assert all("DejaVuSans" in name for name in arabic)
    for render in (
        render_credit_note(OPERATOR, credit_note_sheet()),
        render_contract(OPERATOR, contract_sheet()),
        render_statement(OPERATOR, statement_sheet()),
    ):
        assert all(_embedded_fonts(render).values())
    assert set(_embedded_fonts(invoice_pdf(OPERATOR, invoice_sheet(AMINA)))) == {
        "/Helvetica",
        "/Helvetica-Bold",
    }


def test_the_fast_writer_takes_only_french_invoices_it_can_write_whole():
    assert can_render(OPERATOR, invoice_sheet(AMINA))
    assert not can_render(OPERATOR, invoice_sheet(MERYEM))  # Arabic labels
    assert not can_render(
        OPERATOR, invoice_sheet(replace(AMINA, name="Amina بن علي"))
    )  # French labels, Arabic name
    assert not can_render(
        OPERATOR, invoice_sheet(replace(AMINA, address="Rue Ibn Ḥazm, Fès"))
    )  # Ḥ is not in WinAnsi
    assert can_render(OPERATOR, invoice_sheet(replace(AMINA, address="Résidence Les Œillets, Fès")))  # Œ is


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w,.%:/'-]+", text))


def test_both_writers_say_the_same_things_on_an_invoice_and_on_a_contract_sheet():
    assert _words(_text(invoice_pdf(OPERATOR, invoice_sheet()))) == _words(
        _text(render_invoice(OPERATOR, invoice_sheet()))
    )
    french = contract_sheet(AMINA)
    assert fast_contract.can_render(OPERATOR, french) and not fast_contract.can_render(
        OPERATOR, contract_sheet(MERYEM)
    )
    assert _words(_text(contract_pdf(OPERATOR, french))) == _words(_text(render_contract(OPERATOR, french)))


def test_a_long_invoice_flows_onto_more_pages_with_its_totals_once_at_the_end():
    many = [dict(LINES[1], line_no=n) for n in range(1, 61)]
    for pdf in (
        invoice_pdf(OPERATOR, invoice_sheet(AMINA, many)),
        invoice_pdf(OPERATOR, invoice_sheet(MERYEM, many)),
    ):
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        assert len(pages) >= 2 and sum(p.count("Abonnement Mobile 20 Go v1") for p in pages) == 60
        totals_page = next(i for i, p in enumerate(pages) if "Total TTC" in p)
        assert sum(p.count("Total TTC") for p in pages) == 1 and "Abonnement" not in "".join(
            pages[totals_page + 1 :]
        )
        assert all(
            "Page" in p and "ICE 001234567000089" in p for p in pages
        )  # the legal footer on every page


def test_a_credit_note_names_its_invoice_its_reason_and_its_total_in_words():
    text = re.sub(r"\s+", " ", _text(render_credit_note(OPERATOR, credit_note_sheet())))
    for expected in (
        *LEGAL,
        "AVOIR",
        "AV-2026-000007",
        "10/11/2026",
        "FAC-2026-000042 (02/11/2026)",
        "Geste commercial",
        "Abonnement Mobile 20 Go v1",
        "47,90",
        "9,58",
        "57,48 MAD",
        "Arrêté le présent avoir à la somme de",
        "cinquante-sept dirhams et quarante-huit centimes",
    ):
        assert expected in text, expected


def test_a_contract_sheet_in_arabic_and_a_statement_with_its_balances():
    contract = _text(render_contract(OPERATOR, contract_sheet()))
    for expected in (
        "CONTRAT D'ABONNEMENT",
        "CT-QBT8R-D9KEV",
        "+212612345678",
        "Mobile Confort 30 Go (version 1)",
        "Data 30 Go",
        "149,00 MAD",
        "12 mois",
        "07/12/2026",
    ):
        assert expected in contract, expected
    assert any("مريم العلوي" in line for line in _arabic_lines(contract))
    statement = re.sub(r"\s+", " ", _text(render_statement(OPERATOR, statement_sheet())))
    for expected in (
        "RELEVÉ DE COMPTE",
        "11/2026",
        "Solde au début du mois 120,00 MAD",
        "Facture FAC-2026-000042",
        "1 603,46",
        "1 723,46",
        "Avoir AV-2026-000007",
        "57,48",
        "Paiement VIR-88412",
        "1 000,00",
        "Solde à la fin du mois 665,98 MAD",
        "Reste à payer 665,98 MAD",
    ):
        assert expected in statement, expected


def test_amounts_are_written_as_moroccan_documents_write_them():
    assert money(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}MAD"
    assert money(Decimal("-0.4")) == f"-0,40{NBSP}MAD"
    assert in_words_fr(Decimal("2000000")) == "deux millions de dirhams"
    assert in_words_fr(Decimal("1.01")) == "un dirham et un centime"


@pytest.mark.parametrize("customer", [AMINA, MERYEM], ids=["fr-fast-writer", "ar-reportlab"])
def test_the_qr_code_scans_to_the_verification_address_with_the_number_and_the_printed_fingerprint(customer):
    sheet = invoice_sheet(customer)
    page = Image.open(io.BytesIO(preview(invoice_pdf(OPERATOR, sheet), dpi=150)))
    scanned = [code.text for code in zxingcpp.read_barcodes(page)]
    assert scanned == [f"{OPERATOR.verify_url}?number=FAC-2026-000042&sha256={invoice_fingerprint(sheet)}"]
    note = credit_note_sheet(customer)
    page = Image.open(io.BytesIO(preview(render_credit_note(OPERATOR, note), dpi=150)))
    assert [code.text for code in zxingcpp.read_barcodes(page)] == [
        f"{OPERATOR.verify_url}?number=AV-2026-000007&sha256={credit_note_fingerprint(note)}"
    ]


def test_the_fingerprint_changes_with_whatever_the_document_asserts():
    sheet = invoice_sheet()
    altered = [
        replace(sheet, customer=replace(AMINA, name="Someone Else")),
        replace(sheet, lines=LINES[:-1]),
        replace(sheet, gross=sheet.gross + 1),
        replace(sheet, number="FAC-2026-000043"),
    ]
    assert len({invoice_fingerprint(s) for s in [sheet, *altered]}) == 5


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_samples_are_current_and_look_like_their_reference_image(name):
    pdf = SAMPLES[name]()
    assert pdf == SAMPLES[name](), "the same document renders the same bytes"
    assert (DOCS / f"{name}.pdf").read_bytes() == pdf, (
        f"docs/{name}.pdf is stale: python -m tests.unit.documents_samples"
    )
    rendered = Image.open(io.BytesIO(preview(pdf))).convert("L")
    reference = Image.open(DOCS / "images" / f"{name}.png").convert("L")
    assert rendered.size == reference.size
    changed = sum(
        ImageChops.difference(rendered, reference).histogram()[65:]
    )  # pixels whose grey moved by more than 64
    assert changed <= rendered.size[0] * rendered.size[1] * 0.002, (
        f"{name}: {changed} pixels differ from docs/images/{name}.png"
    )
