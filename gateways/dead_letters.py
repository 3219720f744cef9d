"""Dead letters: the events a read model parked because it could not apply them (projections/dead_letters.py),
listed for admins and auditors; retried after a fix, or discarded with a reason, by an admin."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from gateways.auth import Principal, allow
from gateways.queries import LIMIT, MAX_POSITION, OFFSET, Page, Paged
from projections import dead_letters, redelivery

router = APIRouter(prefix="/api/v1", tags=["operations"])
DEAD_LETTER_ID = Path(ge=1, le=MAX_POSITION)


class DeadLetterView(BaseModel):
    id: int
    consumer: str = Field(description="Who parked it: `projection:<read model>`.")
    event_id: str
    event_type: str
    aggregate_type: str
    aggregate_id: UUID
    aggregate_version: int
    position: int
    error: str
    held: bool = Field(
        description="Parked behind an earlier event of the same aggregate, not for an error of its own."
    )
    parked_at: datetime
    status: Literal["parked", "retried", "discarded"]
    resolved_at: datetime | None
    resolved_by: str | None
    reason: str | None


class Resolved(BaseModel):
    ids: list[int] = Field(description="The dead letters this call resolved.")


class Discard(BaseModel):
    reason: str = Field(
        min_length=3, max_length=500, description="Why the read model may go without this event."
    )


@router.get("/dead-letters", response_model=Paged[DeadLetterView])
async def list_dead_letters(
    request: Request,
    status: Literal["parked", "retried", "discarded"] | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow("admin", "auditor")),
) -> Paged[DeadLetterView]:
    """Parked events, oldest first; `status=parked` for those still waiting."""
    async with request.app.state.runtime.pool.acquire() as conn:
        rows = await dead_letters.listing(conn, status, limit, offset)
    return Paged(items=[DeadLetterView(**r) for r in rows], page=Page(limit=limit, offset=offset))


@router.post("/dead-letters/{dead_letter_id}/retry", response_model=Resolved)
async def retry_dead_letter(
    request: Request, dead_letter_id: int = DEAD_LETTER_ID, who: Principal = Depends(allow("admin"))
) -> Resolved:
    """Applies the read model's parked events of this aggregate, in order, through its handlers: after a fix.
    409 `dead_letter_still_failing` changes nothing."""
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn, conn.transaction():
        ids = await redelivery.retry(
            conn, runtime.store, runtime.projector.projections, dead_letter_id, who.key_id
        )
    return Resolved(ids=ids)


@router.post("/dead-letters/{dead_letter_id}/discard", response_model=Resolved)
async def discard_dead_letter(
    body: Discard,
    request: Request,
    dead_letter_id: int = DEAD_LETTER_ID,
    who: Principal = Depends(allow("admin")),
) -> Resolved:
    """Accepts that the read model goes without this event (the first parked one of its aggregate), recording
    who and why; the events held behind it may then be retried."""
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn, conn.transaction():
        await redelivery.discard(conn, runtime.projector.projections, dead_letter_id, who.key_id, body.reason)
    return Resolved(ids=[dead_letter_id])
