"""Billing-run endpoints: start (or dry-run) the billing of a period, and follow its progress."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from commands.billing import (
    BillingPaused,
    BillingTerms,
    RunBilling,
    execute_billing_run,
    pausing,
    preview_billing,
    start_billing_run,
    unfinished_runs,
)
from domain.billing import Totals as BillTotals
from gateways.auth import READ_ROLES, Principal, allow
from gateways.commanding import command_context
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, await_token, not_found
from infra.kernel import metrics
from projections import billing_run_progress, invoice_register

router = APIRouter(prefix="/api/v1", tags=["billing"])
log = logging.getLogger(__name__)


class Totals(BaseModel):
    net: Decimal
    tax: Decimal
    gross: Decimal


class BillingRunView(BaseModel):
    run_id: UUID
    period: str
    status: Literal["running", "issued", "completed"]
    billed_position: int
    issue_date: date
    due_date: date
    vat_rate: Decimal
    clients_total: int
    clients_done: int
    invoices_issued: int
    documents_rendered: int
    totals: Totals
    started_at: datetime
    issued_at: datetime | None
    completed_at: datetime | None


class BillingRunAccepted(BaseModel):
    id: UUID
    position: int
    period: str
    status: Literal["running", "issued", "completed"]
    created: bool


class PreviewInvoice(BaseModel):
    client_id: UUID
    lines: list[dict[str, Any]]
    totals: Totals


class DryRunView(BaseModel):
    period: str
    dry_run: Literal[True] = True
    billed_position: int
    invoices: list[PreviewInvoice]
    totals: Totals


@router.post(
    "/billing-runs",
    status_code=202,
    response_model=BillingRunAccepted | DryRunView,
    responses={
        200: {
            "description": "A dry run's invoices, or the period's run when it already completed",
            "content": {
                "application/json": {
                    "schema": {
                        "anyOf": [
                            {"$ref": "#/components/schemas/DryRunView"},
                            {"$ref": "#/components/schemas/BillingRunAccepted"},
                        ]
                    }
                }
            },
        }
    },
)
async def post_billing_run(
    body: RunBilling, request: Request, response: Response, who: Principal = Depends(allow("operator"))
):
    """Starts the run of an ended period (202), resumes an unfinished one, or returns a completed one (200).

    With `dry_run: true`, computes every invoice and returns them without issuing, numbering or publishing.
    """
    runtime = request.app.state.runtime
    terms = BillingTerms.from_settings(runtime.settings)
    if body.dry_run:
        position, previews = await run_in_threadpool(
            preview_billing, runtime.store, runtime.clock, terms, body.period
        )
        response.status_code = 200
        invoices = [
            PreviewInvoice(client_id=d.client_id, lines=d.lines, totals=Totals(**vars(d.totals)))
            for d in previews
        ]
        return DryRunView(
            period=body.period,
            billed_position=position,
            invoices=invoices,
            totals=Totals(**vars(BillTotals.sum(d.totals for d in previews))),
        )
    ctx = command_context(request, who)
    started = await run_in_threadpool(
        start_billing_run, runtime.store, runtime.clock, terms, body.period, ctx
    )
    run = started.run
    if run.status == "completed":
        response.status_code = 200
    else:
        drive_in_background(runtime, terms, run.id, ctx, started.roster)
    position = await run_in_threadpool(runtime.store.position_of, run.id, run.version)
    response.headers["Location"] = f"/api/v1/billing-runs/{run.id}"
    response.headers["X-Consistency-Token"] = str(position)
    return BillingRunAccepted(
        id=run.id, position=position, period=run.period, status=run.status, created=started.created
    )


async def resume_unfinished_runs(runtime) -> None:
    """At start-up: drive any run a crashed or stopped process left unfinished."""
    from infra.kernel.command_context import CommandContext

    terms = BillingTerms.from_settings(runtime.settings)
    for run_id in await asyncio.to_thread(unfinished_runs, runtime.store):
        log.warning("resuming unfinished billing run %s", run_id)
        drive_in_background(
            runtime, terms, run_id, CommandContext(actor="system:resume", role="system"), None
        )


def drive_in_background(runtime, terms: BillingTerms, run_id: UUID, ctx, roster) -> None:
    async def drive() -> None:
        log.info("billing run %s: driving it (%s)", run_id, ctx.actor)
        try:
            # Without the pause, a shutdown waited for the whole run.
            run = await asyncio.to_thread(
                execute_billing_run,
                runtime.store,
                runtime.clock,
                runtime.operator,
                terms,
                run_id,
                ctx,
                roster,
                pausing(runtime.stopping, logged_progress(run_id)),
            )
            log.info("billing run %s of %s: %s", run_id, run.period, run.status)
        except BillingPaused as where:
            log.warning(
                "billing run %s paused for shutdown after %s; the next start resumes it", run_id, where
            )
        except Exception:
            log.exception(
                "billing run %s stopped; POST the period again or run `mtf bill` to resume it", run_id
            )

    runtime.start_job(drive())


def logged_progress(run_id: UUID, every: float = 0.1):
    """Logs a run's progress each time a phase passes another tenth of its total."""
    logged: dict[str, int] = {}
    counted: dict[str, int] = {}

    def report(phase: str, done: int, total: int) -> None:
        metrics.billing_progress.add(max(0, done - counted.get(phase, 0)), {"phase": phase})
        counted[phase] = done
        step = max(1, int(total * every))
        if done == total or done // step > logged.get(phase, -1):
            logged[phase] = done // step
            log.info("billing run %s: %s %d of %d", run_id, phase, done, total)

    return report


@router.get("/billing-runs/{run_id}", response_model=BillingRunView)
async def get_billing_run(
    run_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> BillingRunView:
    await await_token(request, billing_run_progress.NAME, run_id, consistency_token)
    async with request.app.state.runtime.pool.acquire() as conn:
        row = await billing_run_progress.find(conn, run_id)
        if row is None:
            raise not_found("billing_run", run_id)
        documents = (
            row["documents"]
            if row["documents"] is not None
            else await invoice_register.documented(conn, run_id)
        )
    return _view(row, documents)


@router.get("/billing-runs", response_model=Paged[BillingRunView])
async def list_billing_runs(
    request: Request,
    status: Literal["running", "issued", "completed"] | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> Paged[BillingRunView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await billing_run_progress.search(conn, status=status, limit=limit, offset=offset)
    items = [_view(r, r["documents"] or 0) for r in rows]
    return Paged[BillingRunView](items=items, page=Page(limit=limit, offset=offset, total=total))


def _view(row: dict[str, Any], documents: int) -> BillingRunView:
    totals = Totals(net=row["net"], tax=row["tax"], gross=row["gross"])
    return BillingRunView(
        **{k: v for k, v in row.items() if k in BillingRunView.model_fields},
        documents_rendered=documents,
        totals=totals,
    )
