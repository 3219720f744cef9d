"""Collections endpoints: aging, the daily sweep, and collection cases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from commands.collections import (
    RecordCollectionAction,
    RunCollectionsSweep,
    WriteOffCollectionCase,
    policy_from,
    record_collection_action,
    run_collections_sweep,
    write_off_collection_case,
)
from gateways.auth import READ_ROLES, Principal, allow
from gateways.commanding import IDEMPOTENCY_KEY, Accepted, command_context, execute
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, find_one
from projections import collection_cases, receivables_aging

router = APIRouter(prefix="/api/v1", tags=["collections"])
CaseStatus = Literal["open", "in_progress", "promise_to_pay", "resolved", "written_off"]


class AgingBuckets(BaseModel):
    current: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d90_plus: Decimal
    total: Decimal


class AgingRow(AgingBuckets):
    client_id: UUID


class AgingReport(BaseModel):
    as_of: date
    portfolio: AgingBuckets
    clients: list[AgingRow]
    page: Page


def _renamed(amounts: dict[str, Any]) -> dict[str, Any]:
    names = {"1-30": "d1_30", "31-60": "d31_60", "61-90": "d61_90", "90+": "d90_plus"}
    return {names.get(k, k): v for k, v in amounts.items()}


@router.get("/aging", response_model=AgingReport)
async def get_aging(
    request: Request,
    as_of: date | None = Query(default=None, description="Defaults to today."),
    service: Literal["mobile", "internet", "landline"] | None = None,
    offer: UUID | None = None,
    client: UUID | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> AgingReport:
    """Amounts owed on `as_of` by days past due (buckets current, 1-30, 31-60, 61-90, 90+),
    for the portfolio and per client (in client id order). `d1_30` is the 1-30 bucket, and so on."""
    runtime = request.app.state.runtime
    day = as_of or runtime.clock.today()
    async with runtime.pool.acquire() as conn:
        report = await receivables_aging.aging(
            conn, day, client_id=client, service=service, offer_id=offer, limit=limit, offset=offset
        )
    return AgingReport(
        as_of=day,
        portfolio=AgingBuckets(**_renamed(report["portfolio"])),
        clients=[AgingRow(**_renamed(row)) for row in report["clients"]],
        page=Page(limit=limit, offset=offset),
    )


class SweepView(BaseModel):
    id: UUID
    position: int
    as_of: date
    created: bool
    outcomes: dict[str, int]


@router.post(
    "/collections/sweeps",
    status_code=201,
    response_model=SweepView,
    responses={
        200: {"model": SweepView, "description": "A sweep of this day already ran: its result, unchanged."}
    },
)
async def post_sweep(
    body: RunCollectionsSweep,
    request: Request,
    response: Response,
    who: Principal = Depends(allow("operator")),
) -> SweepView:
    """RunCollectionsSweep: once per day (a second call for the same day returns the first, 200)."""
    runtime = request.app.state.runtime
    ctx = command_context(request, who)
    result, created, sweep = await run_in_threadpool(
        run_collections_sweep, runtime.store, runtime.clock, policy_from(runtime.settings), body, ctx
    )
    if not created:
        response.status_code = 200
    response.headers["X-Consistency-Token"] = str(result.position)
    return SweepView(
        id=result.id, position=result.position, as_of=sweep.as_of, created=created, outcomes=sweep.outcomes
    )


class CaseView(BaseModel):
    case_id: UUID
    client_id: UUID
    status: CaseStatus
    opened_on: date
    days_past_due: int
    overdue: Decimal
    promise_date: date | None
    promise_amount: Decimal | None
    history: list[dict[str, Any]]
    updated_at: datetime


@router.get("/collection-cases", response_model=Paged[CaseView])
async def list_cases(
    request: Request,
    status: CaseStatus | None = None,
    client: UUID | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> Paged[CaseView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await collection_cases.search(
            conn, client_id=client, status=status, limit=limit, offset=offset
        )
    return Paged[CaseView](
        items=[CaseView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/collection-cases/{case_id}", response_model=CaseView)
async def get_case(
    case_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> CaseView:
    row = await find_one(request, collection_cases, case_id, consistency_token, "collection_case")
    return CaseView(**row)


@router.post("/collection-cases/{case_id}/actions", response_model=Accepted)
async def post_action(
    case_id: UUID,
    body: RecordCollectionAction,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    """A history entry: reminder sent, call logged, promise to pay (date and amount), suspension requested."""
    return await execute(
        request, response, who, record_collection_action, case_id, body, once=idempotency_key
    )


@router.post("/collection-cases/{case_id}/write-off", response_model=Accepted)
async def post_write_off(
    case_id: UUID,
    body: WriteOffCollectionCase,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    return await execute(
        request, response, who, write_off_collection_case, case_id, body, once=idempotency_key
    )
