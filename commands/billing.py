"""RunBilling: start (or find) the run of a period, issue its invoices block by block, then their PDFs.

Crash safety comes from the shape of each append: a block's invoices, the numbers they take and
the run's progress are saved together, so after a crash a resumed run continues at the first
client not yet billed, with no duplicate and no gap. Resuming reads the log at the run's
recorded position, so it computes exactly what the first attempt would have.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Callable, Iterator
from uuid import UUID

from eventsourcing.utils import get_topic

from commands.base import Command, PeriodText
from commands.billing_input import BillingInput, BillingRoster, read_roster
from commands.block_claims import work_through
from commands.invoice_documents import RenderedBlock, finish_block, start_block
from commands.retry import retry_on_conflict
from domain.billing import InvoiceLine, Totals, invoice_lines
from domain.billing_run import BillingRun
from domain.errors import Conflict
from domain.invoice import Invoice
from domain.number_series import INVOICES, NumberSeries
from domain.operator import Operator
from domain.payments import ClientAccount
from domain.period import Period
from infra.eventstore.port import ConcurrencyConflict, EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext
from infra.kernel.faults import crash_point
from infra.pdf.pool import workers_for

Progress = Callable[[str, int, int], None]  # phase, done, total


class RunBilling(Command):
    period: PeriodText
    dry_run: bool = False


@dataclass(frozen=True)
class BillingTerms:
    vat_rate: Decimal
    payment_terms_days: int
    block_size: int
    pdf_workers: int = 1  # processes rendering a block's invoice PDFs

    @classmethod
    def from_settings(cls, settings) -> BillingTerms:
        return cls(
            vat_rate=settings.vat_rate,
            payment_terms_days=settings.payment_terms_days,
            block_size=settings.billing_block_size,
            pdf_workers=workers_for(settings.pdf_workers),
        )


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


class BillingPaused(Exception):
    """A run stopped at a safe point, right after a saved block; the next start resumes it."""


def pausing(stop: threading.Event, progress: Progress = _no_progress) -> Progress:
    """`progress`, then a pause once `stop` is set. A run reports progress after each saved block: a
    safe point, as after a crash there, from which the next start resumes without gap or duplicate."""

    def checkpoint(phase: str, done: int, total: int) -> None:
        progress(phase, done, total)
        if stop.is_set():
            raise BillingPaused(f"{phase} {done} of {total}")

    return checkpoint


def billable_period(text: str, clock: Clock) -> Period:
    period = Period.parse(text)
    if period.last_day >= clock.today():
        raise Conflict(
            f"the period {period} has not ended: it can be billed from {period.end.isoformat()}",
            code="period_not_ended",
            period=str(period),
            billable_from=period.end.isoformat(),
        )
    return period


# --- dry run -------------------------------------------------------------------------------------


def preview_billing(
    store: EventStore, clock: Clock, terms: BillingTerms, period_text: str
) -> tuple[int, list[InvoiceDraft]]:
    """Every invoice the period would get at the current log head. Appends nothing, numbers nothing."""
    period = billable_period(period_text, clock)
    roster = read_roster(store, store.head(), period)
    drafts = []
    for block in _blocks(roster, terms.block_size):
        drafts += _drafts(roster.input_for(store, block), period, terms.vat_rate, block)
    return roster.position, drafts


def _blocks(roster: BillingRoster, size: int) -> Iterator[list[UUID]]:
    for first in range(0, len(roster), size):
        yield roster.clients_at(slice(first, first + size))


def _computed(
    billing_input: BillingInput, period: Period, vat_rate: Decimal, clients: list[UUID]
) -> Iterator[tuple[UUID, list[InvoiceLine]]]:
    for client_id in clients:
        lines = invoice_lines(
            billing_input.contracts[client_id], billing_input.discounts.get(client_id, ()), period, vat_rate
        )
        if lines:
            yield client_id, lines


# --- issuing -------------------------------------------------------------------------------------


@dataclass
class StartedRun:
    run: BillingRun
    created: bool
    roster: BillingRoster | None = None


def start_billing_run(
    store: EventStore, clock: Clock, terms: BillingTerms, period_text: str, ctx: CommandContext
) -> StartedRun:
    """The period's run: the existing one (created=False), or a new one pinned to the current log head."""
    period = billable_period(period_text, clock)
    run_id = BillingRun.create_id(str(period))
    if store.exists(run_id):
        return StartedRun(store.load(BillingRun, run_id, what="billing_run"), created=False)
    roster = read_roster(store, store.head(), period)
    today = clock.today()
    run = BillingRun(
        period=str(period),
        billed_position=roster.position,
        issue_date=today,
        due_date=today + timedelta(days=terms.payment_terms_days),
        vat_rate=terms.vat_rate,
        clients_total=len(roster),
        block_size=terms.block_size,
    )
    try:
        store.save_as(ctx, run)
    except ConcurrencyConflict:  # another request started the same period first
        return StartedRun(store.load(BillingRun, run_id, what="billing_run"), created=False)
    return StartedRun(run, created=True, roster=roster)


def execute_billing_run(
    store: EventStore,
    clock: Clock,
    operator: Operator,
    terms: BillingTerms,
    run_id: UUID,
    ctx: CommandContext,
    roster: BillingRoster | None = None,
    progress: Progress = _no_progress,
) -> BillingRun:
    """Works on the run, beside any other workers on it, until it is complete; a no-op for a completed run.
    Workers share the run block by block (block_claims.py), on one machine or several."""
    run = store.load(BillingRun, run_id, what="billing_run")
    if run.status == "completed":
        return run
    period = Period.parse(run.period)
    if roster is None or (roster.position, roster.period) != (run.billed_position, period):
        roster = read_roster(store, run.billed_position, period)
    if run.status == "running":
        run = _issue_invoices(store, run, roster, ctx, progress)
    issue_invoice_documents(store, clock, operator, terms, run, roster, ctx, progress)
    # every invoice has its PDF: each worker waited for the blocks others held before it got here
    return _advance(store, run.id, ctx, "issued", lambda r: r.complete(documents=r.invoices_issued))


@dataclass(frozen=True)
class InvoiceDraft:
    client_id: UUID
    lines: list[dict[str, Any]]
    totals: Totals


def _drafts(
    billing_input: BillingInput, period: Period, vat_rate: Decimal, block: list[UUID]
) -> list[InvoiceDraft]:
    return [
        InvoiceDraft(
            client_id, [line.as_payload(i) for i, line in enumerate(lines, start=1)], Totals.of(lines)
        )
        for client_id, lines in _computed(billing_input, period, vat_rate, block)
    ]


def _issue_invoices(
    store: EventStore, run: BillingRun, roster: BillingRoster, ctx, progress: Progress
) -> BillingRun:
    """Issues every block this worker claims, then records the run issued once no block is left."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="billing-compute") as compute:
        issuer = _BlockIssuer(store, run, roster, ctx, progress, compute)
        work_through(
            store, run.id, "invoices", run.pending_blocks(), issuer.done, issuer.begin, issuer.finish
        )
    return _advance(store, run.id, ctx, "running", BillingRun.finish_issuing)


@retry_on_conflict
def _advance(store: EventStore, run_id: UUID, ctx: CommandContext, status: str, step) -> BillingRun:
    """Takes the run one step on from `status`, unless another worker already did."""
    run = store.load(BillingRun, run_id, what="billing_run")
    if run.status == status:
        step(run)
        store.save_as(ctx, run)
    return run


ATTEMPTS = 5


class _BlockIssuer:
    """One worker's issuing of the blocks it claims. A block's clients' histories are read and its drafts
    computed on a second thread while the block before is saved: the input is pinned to the run's
    position, so drafts computed before a conflict serve again after it."""

    def __init__(
        self, store: EventStore, run: BillingRun, roster: BillingRoster, ctx, progress, compute
    ) -> None:
        self.store, self.run, self.roster = store, run, roster
        self.ctx, self.progress, self.compute = ctx, progress, compute
        self.period = Period.parse(run.period)
        self.series_id = NumberSeries.create_id(INVOICES, run.issue_date.year)

    def done(self, first: int) -> bool:
        return first in self.store.refresh(self.run).blocks_done

    def begin(self, first: int) -> Future:
        return self.compute.submit(self._drafts_of, self.roster.clients_at(self.run.block_clients(first)))

    def _drafts_of(self, block: list[UUID]) -> list[InvoiceDraft]:
        return _drafts(self.roster.input_for(self.store, block), self.period, self.run.vat_rate, block)

    def finish(self, first: int, drafts: Future) -> None:
        self._issue(first, drafts.result())
        self.progress("invoices", self.run.clients_done, self.run.clients_total)
        crash_point("billing.after_block")

    def _issue(self, first: int, drafts: list[InvoiceDraft]) -> None:
        """Numbers the block's invoices and appends them with the series and the run's record of the
        block. The series' lock makes workers take turns at numbering instead of colliding; a conflict
        with anything else (a client's account moving meanwhile) is retried on fresh state."""
        for attempt in range(ATTEMPTS):
            with self.store.exclusive(self.series_id, wait=True):
                run = self.store.refresh(self.run)
                if first in run.blocks_done:
                    return
                series = open_series(self.store, INVOICES, run.issue_date.year)
                invoices = [_invoice(run, d, n) for d, n in zip(drafts, series.allocate(len(drafts)))]
                run.record_block(first, len(invoices), Totals.sum(d.totals for d in drafts))
                accounts = _use_client_credit(self.store, invoices)
                crash_point("billing.block_unsaved")
                try:
                    self.store.save_as(self.ctx, run, *([series] if invoices else []), *invoices, *accounts)
                    return
                except ConcurrencyConflict:
                    if attempt == ATTEMPTS - 1:
                        raise
                    # the refused events were applied in memory: start again from what is stored
                    self.run = self.store.load(BillingRun, run.id, what="billing_run")


def _use_client_credit(store: EventStore, invoices: list[Invoice]) -> list[ClientAccount]:
    """Clients holding credit (an overpayment, a credit note) see it settle their new invoice at once."""
    by_account = {ClientAccount.create_id(invoice.client_id): invoice for invoice in invoices}
    accounts = [a for a in store.load_many(ClientAccount, list(by_account)).values() if a.credit > 0]
    for account in accounts:
        account.use_credit_on(by_account[account.id])
    return accounts


def open_series(store: EventStore, prefix: str, year: int) -> NumberSeries:
    series_id = NumberSeries.create_id(prefix, year)
    if store.exists(series_id):
        return store.load(NumberSeries, series_id, what="number_series")
    return NumberSeries(prefix=prefix, year=year)


def _invoice(run: BillingRun, draft: InvoiceDraft, number: str) -> Invoice:
    totals = draft.totals
    return Invoice(
        client_id=draft.client_id,
        period=run.period,
        number=number,
        run_id=run.id,
        billed_position=run.billed_position,
        issue_date=run.issue_date,
        due_date=run.due_date,
        vat_rate=run.vat_rate,
        lines=draft.lines,
        net=totals.net,
        tax=totals.tax,
        gross=totals.gross,
    )


def unfinished_runs(store: EventStore) -> list[UUID]:
    """Runs started but not completed: what a restarted gateway resumes (indexed: no scan of the log)."""
    return store.unfinished(
        get_topic(BillingRun.BillingRunStarted), get_topic(BillingRun.BillingRunCompleted)
    )


# --- documents -----------------------------------------------------------------------------------


def issue_invoice_documents(
    store: EventStore,
    clock: Clock,
    operator: Operator,
    terms: BillingTerms,
    run: BillingRun,
    roster: BillingRoster,
    ctx: CommandContext,
    progress: Progress = _no_progress,
) -> None:
    """Renders and stores the PDF of every invoice of the run that has none yet, block by block, beside
    any other workers: the next block renders on the pool while this one is stored and announced."""
    documented = 0

    identities = partial(roster.identities_of, store)

    def begin(first: int) -> RenderedBlock:
        clients = roster.clients_at(slice(first, first + run.block_size))
        block = [Invoice.create_id(client_id, run.period) for client_id in clients]
        return start_block(store, operator, block, identities, terms.pdf_workers)

    def finish(first: int, rendering: RenderedBlock) -> None:
        nonlocal documented
        documented += finish_block(store, clock, operator, rendering, identities, ctx, terms.pdf_workers)
        progress("documents", documented, run.invoices_issued)
        crash_point("billing.after_document_block")

    blocks = list(range(0, len(roster), run.block_size))
    work_through(store, run.id, "documents", blocks, lambda first: False, begin, finish)


# --- reproducibility -----------------------------------------------------------------------------


def verify_billing_run(store: EventStore, run_id: UUID, block_size: int = 1000) -> list[dict[str, Any]]:
    """Recomputes the run from its recorded position; returns every difference from what was issued (none expected)."""
    run = store.load(BillingRun, run_id, what="billing_run")
    period = Period.parse(run.period)
    roster = read_roster(store, run.billed_position, period)
    differences = []
    for block in _blocks(roster, block_size):
        issued = store.load_many(Invoice, [Invoice.create_id(c, run.period) for c in block])
        expected = dict(_computed(roster.input_for(store, block), period, run.vat_rate, block))
        for client_id in block:
            invoice = issued.get(Invoice.create_id(client_id, run.period))
            want = [line.as_payload(i) for i, line in enumerate(expected.get(client_id, []), start=1)]
            have = invoice.lines if invoice else []
            if want != have:
                differences.append({"client_id": str(client_id), "expected": want, "issued": have})
    return differences
