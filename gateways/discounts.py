"""Discount endpoints: grant, end and list the reductions billing applies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from commands.discounts import EndDiscount, GrantDiscount, end_discount, grant_discount
from gateways.auth import READ_ROLES, Principal, allow
from gateways.commanding import IDEMPOTENCY_KEY, Accepted, execute
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, find_one
from projections import discount_register

router = APIRouter(prefix="/api/v1", tags=["discounts"])


class DiscountView(BaseModel):
    discount_id: UUID
    client_id: UUID
    contract_id: UUID | None
    kind: Literal["percent", "fixed"]
    value: Decimal
    from_period: str
    to_period: str | None
    label: str
    granted_at: datetime
    updated_at: datetime


@router.post("/discounts", status_code=201, response_model=Accepted)
async def post_discount(
    body: GrantDiscount,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    """A percent or fixed (MAD excl. VAT per period) discount on a contract's or a client's recurring fees."""
    return await execute(
        request, response, who, grant_discount, body, location="/api/v1/discounts", once=idempotency_key
    )


@router.post("/discounts/{discount_id}/end", response_model=Accepted)
async def post_discount_end(
    discount_id: UUID,
    body: EndDiscount,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    return await execute(request, response, who, end_discount, discount_id, body, once=idempotency_key)


@router.get("/discounts", response_model=Paged[DiscountView])
async def list_discounts(
    request: Request,
    client: UUID | None = None,
    contract: UUID | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> Paged[DiscountView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await discount_register.search(
            conn, client_id=client, contract_id=contract, limit=limit, offset=offset
        )
    return Paged[DiscountView](
        items=[DiscountView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/discounts/{discount_id}", response_model=DiscountView)
async def get_discount(
    discount_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> DiscountView:
    row = await find_one(request, discount_register, discount_id, consistency_token, "discount")
    return DiscountView(**row)
