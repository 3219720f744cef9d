"""The renderer pool: PDFs come back in the order of their sheets, rendered by processes that run nicer
than the one that started them, so that on a busy machine they yield the CPU to issuing and publishing."""

from __future__ import annotations

import os

from infra.pdf import pool
from infra.pdf.choice import invoice_pdf
from tests.unit.documents_samples import AMINA, MERYEM, OPERATOR, invoice_sheet


def test_the_pool_renders_in_order_what_one_process_renders_and_runs_nicer():
    sheets = [invoice_sheet(AMINA), invoice_sheet(MERYEM)] * 4
    pool.use_niceness(3)
    try:
        rendered = list(pool.render_invoices(OPERATOR, sheets, workers=2))
        niceness = pool._pool(2).submit(os.nice, 0).result()
    finally:
        pool.shut_down()
        pool.use_niceness(0)
    assert rendered == [invoice_pdf(OPERATOR, sheet) for sheet in sheets]
    assert niceness == os.nice(0) + 3
