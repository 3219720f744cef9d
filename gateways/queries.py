"""Shared query plumbing: pagination, and read-your-writes waits on a consistency token."""

from __future__ import annotations

from typing import Generic, TypeVar
from uuid import UUID

from fastapi import Query, Request, Response
from pydantic import BaseModel

from gateways.errors import ApiError
from projections import tracking
from projections.consistency import PositionAhead, wait_until_projected

T = TypeVar("T")

MAX_POSITION = 2**63 - 1  # PostgreSQL bigint: larger values must be a 422, not an overflow
MAX_OFFSET = 10_000_000

TOKEN = Query(
    default=None,
    ge=0,
    le=MAX_POSITION,
    description="A position from a command response: wait until the read model reflects it.",
)
LIMIT = Query(default=50, ge=1, le=500)
OFFSET = Query(default=0, ge=0, le=MAX_OFFSET)


class Page(BaseModel):
    limit: int
    offset: int
    total: int | None = None


class Paged(BaseModel, Generic[T]):
    items: list[T]
    page: Page


async def await_token(request: Request, projection: str, aggregate_id: UUID, token: int | None) -> None:
    if token is None:
        return
    runtime = request.app.state.runtime
    timeout = runtime.settings.consistency_wait_ms / 1000
    try:
        projected = await wait_until_projected(runtime.pool, projection, aggregate_id, token, timeout)
    except PositionAhead:
        raise ApiError(
            422,
            "consistency_token_ahead",
            "no command has been answered with this consistency token: the event log has not reached it",
            {"consistency_token": token, "field": "consistency_token"},
        ) from None
    if not projected:
        raise ApiError(
            503,
            "projection_lagging",
            "the read model has not caught up with this consistency token yet",
            {"consistency_token": token, "projection": projection},
            headers={"Retry-After": "1"},
        )


def not_found(what: str, identifier: UUID) -> ApiError:
    return ApiError(404, f"{what}_not_found", f"{what} {identifier} not found", {"id": str(identifier)})


async def find_one(
    request: Request, read_model, row_id: UUID, token: int | None, what: str, response: Response | None = None
) -> dict:
    """A read model's row by id, once it reflects the consistency token; 404 `<what>_not_found` when absent.
    With `response`, its `ETag` is the aggregate's version the row shows, read in the same snapshot: the
    `If-Match` an update of what was read sends back."""
    await await_token(request, read_model.NAME, row_id, token)
    version = None
    async with request.app.state.runtime.pool.acquire() as conn:
        if response is None:
            row = await read_model.find(conn, row_id)
        else:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                row = await read_model.find(conn, row_id)
                version = await tracking.applied_version(conn, read_model.NAME, row_id)
    if row is None:
        raise not_found(what, row_id)
    if version:
        response.headers["ETag"] = f'"{version}"'
    return row
