"""The document PDF writer produces well-formed files that readers parse strictly, with the text as given."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from infra.pdf.text_pdf import TextPdf


def _document(lines: list[str], title: str = "Contract CT-1", pages: int = 1) -> bytes:
    pdf = TextPdf(title)
    for page in range(pages):
        pdf.setFont("Helvetica-Bold" if page % 2 else "Helvetica", 10)
        for i, text in enumerate(lines):
            pdf.drawString(56.7, 780 - 14 * i, text)
        pdf.line(56.7, 100, 538.6, 100)
        pdf.showPage()
    return pdf.save()


def _xref_points_at_every_object(data: bytes) -> bool:
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert data[start:].startswith(b"xref\n")
    header, *rows = data[start:].split(b"trailer", 1)[0].splitlines()[1:]
    first, count = map(int, header.split())
    assert len(rows) == count
    in_use = [(first + i, int(row[:10])) for i, row in enumerate(rows) if row.endswith(b"n ")]
    return all(data[offset:].startswith(b"%d 0 obj\n" % number) for number, offset in in_use)


def test_a_strict_reader_finds_the_pages_the_title_and_the_text():
    data = _document(
        ["Client Amina Benali", "Monthly fee 99.00 MAD"], title="Invoice FAC-2026-000042", pages=3
    )
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 3
    assert reader.metadata.title == "Invoice FAC-2026-000042"
    assert all("Monthly fee 99.00 MAD" in page.extract_text() for page in reader.pages)
    assert _xref_points_at_every_object(data)


def test_special_characters_are_escaped_and_unencodable_ones_become_question_marks():
    text = reader_text(["Offre (v2) \\ Été à 99,00 € ل", "tab\there"])
    assert "Offre (v2) \\ Été à 99,00 € ?" in text
    assert "tab here" in text


def reader_text(lines: list[str]) -> str:
    return PdfReader(io.BytesIO(_document(lines)), strict=True).pages[0].extract_text()


def test_a_right_aligned_string_ends_at_its_x():
    pdf = TextPdf("t")
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawRightString(500, 700, "517.70")
    start = float(re.search(rb"Tf ([\d.]+) 700.00 Td", pdf.save()).group(1))
    assert start == pytest.approx(500 - stringWidth("517.70", "Helvetica-Bold", 9), abs=0.01)


def test_the_same_calls_give_the_same_bytes_and_other_text_another_file_id():
    assert _document(["a"]) == _document(["a"])
    file_id = re.compile(rb"/ID \[<([0-9a-f]+)>")
    assert file_id.search(_document(["a"])).group(1) != file_id.search(_document(["b"])).group(1)


def test_only_the_standard_helvetica_fonts_are_offered():
    with pytest.raises(ValueError, match="unsupported font"):
        TextPdf("t").setFont("Times-Roman", 10)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs")), max_size=40),
        min_size=1,
        max_size=5,
    )
)
def test_any_winansi_text_reads_back_as_written(lines):
    data = _document(lines)
    assert _xref_points_at_every_object(data)
    text = reader_text(lines)
    for line in lines:
        assert " ".join(line.split()) in " ".join(text.split())
