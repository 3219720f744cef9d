"""Auditor endpoints on the event store itself: an aggregate's recorded events, and its state as of a moment."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from gateways.auth import Principal, allow
from gateways.errors import ApiError
from gateways.queries import LIMIT, OFFSET, Page
from infra.eventstore.history import HistoryErased, recorded_events, state_as_of
from schemas.envelope import CloudEvent

router = APIRouter(prefix="/api/v1", tags=["audit"])

AS_OF = Query(
    default=None,
    max_length=40,
    description="A moment with its UTC offset (2026-11-30T09:00:00+01:00), "
    "or a date (2026-11-30: the end of that day, UTC). "
    "Absent: everything recorded so far.",
)


class RecordedEventsView(BaseModel):
    aggregate_id: UUID
    aggregate_type: str
    items: list[CloudEvent]
    page: Page


class StateAsOfView(BaseModel):
    aggregate_id: UUID
    aggregate_type: str
    as_of: datetime | None
    version: int
    position: int
    recorded_at: datetime
    state: dict[str, Any]


@router.get("/event-history/{aggregate_id}", response_model=RecordedEventsView)
async def event_history(
    request: Request,
    aggregate_id: UUID,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow("auditor")),
) -> RecordedEventsView:
    """Every event recorded for one aggregate (contract, invoice, client, payment, ...), in version order."""
    runtime = request.app.state.runtime
    found = await runtime.run_command(
        lambda: recorded_events(runtime.store, aggregate_id, limit=limit, offset=offset)
    )
    if found is None:
        raise _nothing_recorded(aggregate_id)
    page = Page(limit=limit, offset=offset, total=found.total)
    return RecordedEventsView(
        aggregate_id=aggregate_id, aggregate_type=found.aggregate_type, items=found.events, page=page
    )


@router.get("/event-history/{aggregate_id}/state", response_model=StateAsOfView)
async def state_at(
    request: Request, aggregate_id: UUID, as_of: str | None = AS_OF, _: Principal = Depends(allow("auditor"))
) -> StateAsOfView:
    """The aggregate as the event store held it at `as_of`, replayed from the events recorded up to then."""
    moment = parse_moment(as_of) if as_of is not None else None
    runtime = request.app.state.runtime
    try:
        found = await runtime.run_command(
            lambda: state_as_of(runtime.store, aggregate_id, moment or _END_OF_TIME)
        )
    except HistoryErased:
        raise ApiError(
            410, "history_erased", "this history was erased with its personal data", {"id": str(aggregate_id)}
        ) from None
    if found is None:
        raise _nothing_recorded(aggregate_id, as_of=moment)
    return StateAsOfView(aggregate_id=aggregate_id, as_of=moment, **vars(found))


_END_OF_TIME = datetime.max.replace(tzinfo=timezone.utc)


def parse_moment(text: str) -> datetime:
    """A timezone-aware moment; a bare date means the end of that day, UTC. A moment without its offset is refused:
    an auditor's question must not depend on the server's time zone."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422,
            "invalid_as_of",
            "as_of is neither an ISO 8601 date nor a date-time",
            {"field": "as_of", "value": text},
        ) from None
    if moment.tzinfo is None:
        raise ApiError(
            422,
            "as_of_without_offset",
            "as_of needs a UTC offset, e.g. 2026-11-30T09:00:00+01:00 or ...Z",
            {"field": "as_of"},
        )
    return moment


def _nothing_recorded(aggregate_id: UUID, as_of: datetime | None = None) -> ApiError:
    details: dict[str, Any] = {"id": str(aggregate_id)}
    if as_of is not None:
        details["as_of"] = as_of.isoformat()
    return ApiError(
        404, "history_not_found", "nothing was recorded for this id" + (" by then" if as_of else ""), details
    )
