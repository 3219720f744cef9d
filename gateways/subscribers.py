"""Subscriber (service line) endpoints: reads for everyone, a status change for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from commands.subscribers import ChangeSubscriberStatus, change_subscriber_status
from domain.numbers import as_any_number
from gateways.auth import READ_ROLES, Principal, allow
from gateways.commanding import Accepted, execute
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, find_one
from projections import subscriber_directory

router = APIRouter(prefix="/api/v1", tags=["subscribers"])


class SubscriberView(BaseModel):
    subscriber_id: UUID
    client_id: UUID
    service: Literal["mobile", "internet", "landline"]
    number: str
    status: Literal["active", "suspended", "closed"]
    created_at: datetime
    updated_at: datetime


def _number_filter(raw: str | None) -> str | None:
    if raw is None:
        return None
    return as_any_number(raw) or "-"  # not a number: matches nothing


@router.get("/subscribers", response_model=Paged[SubscriberView])
async def list_subscribers(
    request: Request,
    client_id: UUID | None = None,
    service: Literal["mobile", "internet", "landline"] | None = None,
    status: Literal["active", "suspended", "closed"] | None = None,
    number: str | None = Query(default=None, max_length=20),
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> Paged[SubscriberView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await subscriber_directory.search(
            conn,
            client_id=client_id,
            service=service,
            status=status,
            number=_number_filter(number),
            limit=limit,
            offset=offset,
        )
    return Paged[SubscriberView](
        items=[SubscriberView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/subscribers/{subscriber_id}", response_model=SubscriberView)
async def get_subscriber(
    subscriber_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> SubscriberView:
    row = await find_one(request, subscriber_directory, subscriber_id, consistency_token, "subscriber")
    return SubscriberView(**row)


@router.post("/subscribers/{subscriber_id}/status", response_model=Accepted)
async def post_status(
    subscriber_id: UUID,
    body: ChangeSubscriberStatus,
    request: Request,
    response: Response,
    who: Principal = Depends(allow("admin")),
) -> Accepted:
    return await execute(request, response, who, change_subscriber_status, subscriber_id, body)
