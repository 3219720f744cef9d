"""The audit of refused privileged actions, for auditors and admins."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from gateways.auth import Principal, allow
from gateways.queries import LIMIT, OFFSET, Page, Paged
from projections import access_refusals

router = APIRouter(prefix="/api/v1", tags=["audit"])


class RefusalView(BaseModel):
    refusal_id: UUID
    actor: str
    role: str
    method: str
    path: str
    allowed_roles: list[str]
    correlation_id: str
    refused_at: datetime
    repeats: int = Field(
        description="How many more times the same caller was refused the same call within the minute this "
        "entry opened (one entry per window, not one per call)."
    )
    last_refused_at: datetime


@router.get("/access-refusals", response_model=Paged[RefusalView])
async def list_refusals(
    request: Request,
    actor: str | None = Query(default=None, max_length=40),
    role: str | None = Query(default=None, max_length=20),
    since: datetime | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow("auditor", "admin")),
) -> Paged[RefusalView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await access_refusals.search(
            conn, actor=actor, role=role, since=since, limit=limit, offset=offset
        )
    return Paged[RefusalView](
        items=[RefusalView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )
