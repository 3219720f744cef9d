"""Renders a block of invoice PDFs on several processes: a billing run renders one PDF per client, and one process
on one core cannot keep up with the rate the operator needs (docs/performance.md). The pool is made on first use,
with processes started fresh (spawn): forking a process that runs threads and an event loop is not safe."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator

from domain.operator import Operator
from infra.pdf import fonts
from infra.pdf.choice import invoice_pdf
from infra.pdf.invoice import InvoiceSheet

_pools: dict[int, ProcessPoolExecutor] = {}
_niceness = 0  # added to the renderers' scheduling niceness (`use_niceness`)


def use_niceness(niceness: int) -> None:
    """Renderers started from now on run this much nicer than the process starting them: PDFs yield the
    CPU to issuing, publishing and projecting, which others wait on (docs/performance.md)."""
    global _niceness
    _niceness = niceness


def workers_for(configured: int) -> int:
    """0 means one process per core."""
    return configured or os.cpu_count() or 1


def render_invoices(operator: Operator, sheets: list[InvoiceSheet], workers: int) -> Iterator[bytes]:
    """The PDFs, in the order of the sheets. On the pool they are rendering as soon as this returns, and reading the
    iterator waits for them; here (one process asked for, or a small block) they are rendered before it returns."""
    if workers <= 1 or len(sheets) < 4 * workers:
        return iter([invoice_pdf(operator, sheet) for sheet in sheets])
    return _pool(workers).map(
        _render, [operator] * len(sheets), sheets, chunksize=max(1, len(sheets) // (4 * workers))
    )


def _pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _pools:
        context = multiprocessing.get_context("spawn")
        _pools[workers] = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_renderer, initargs=(fonts.directory(), _niceness)
        )
    return _pools[workers]


def _start_renderer(font_dir, niceness: int) -> None:
    os.nice(niceness)
    fonts.use(font_dir)


def _render(operator: Operator, sheet: InvoiceSheet) -> bytes:
    return invoice_pdf(operator, sheet)


def shut_down() -> None:
    for pool in _pools.values():
        pool.shutdown(cancel_futures=True)
    _pools.clear()
