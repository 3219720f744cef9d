"""Catalog endpoints: offers, their versions, and the grouped categories view."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from commands.offers import CreateOffer, UpdateOffer, create_offer, delete_offer, retire_offer, update_offer
from gateways.auth import PARTNER_READ_ROLES, Principal, allow
from gateways.commanding import IDEMPOTENCY_KEY, IF_MATCH, Accepted, execute
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, await_token, find_one, not_found
from projections import offer_catalog

router = APIRouter(prefix="/api/v1", tags=["offers"])
Service = Literal["mobile", "internet", "landline"]


class OfferVersionView(BaseModel):
    terms_version: int
    name: str
    family: str
    monthly_fee: Decimal
    activation_fee: Decimal
    components: list[dict[str, Any]]
    valid_from: date | None
    valid_to: date | None


class OfferView(OfferVersionView):
    offer_id: UUID
    service: Service
    status: Literal["active", "retired"]
    created_at: datetime
    updated_at: datetime


class VersionedOfferView(OfferVersionView):
    recorded_at: datetime


class TierView(OfferView):
    tier: int


class FamilyView(BaseModel):
    family: str
    offers: list[TierView]


class ServiceCategoryView(BaseModel):
    service: Service
    tiers: list[TierView]
    families: list[FamilyView]


@router.post("/offers", status_code=201, response_model=Accepted)
async def post_offer(
    body: CreateOffer,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow("admin")),
) -> Accepted:
    return await execute(
        request, response, who, create_offer, body, location="/api/v1/offers", once=idempotency_key
    )


@router.put("/offers/{offer_id}", response_model=Accepted)
async def put_offer(
    offer_id: UUID,
    body: UpdateOffer,
    request: Request,
    response: Response,
    if_match: str | None = IF_MATCH,
    who: Principal = Depends(allow("admin")),
) -> Accepted:
    return await execute(request, response, who, update_offer, offer_id, body, if_match=(offer_id, if_match))


@router.post("/offers/{offer_id}/retirement", response_model=Accepted)
async def retire(
    offer_id: UUID,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    if_match: str | None = IF_MATCH,
    who: Principal = Depends(allow("admin")),
) -> Accepted:
    return await execute(
        request, response, who, retire_offer, offer_id, once=idempotency_key, if_match=(offer_id, if_match)
    )


@router.delete("/offers/{offer_id}", response_model=Accepted)
async def delete(
    offer_id: UUID, request: Request, response: Response, who: Principal = Depends(allow("admin"))
) -> Accepted:
    return await execute(request, response, who, delete_offer, offer_id)


@router.get("/offers", response_model=Paged[OfferView])
async def list_offers(
    request: Request,
    service: Service | None = None,
    family: str | None = None,
    status: Literal["active", "retired"] | None = None,
    sellable_on: date | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> Paged[OfferView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await offer_catalog.search(
            conn,
            service=service,
            family=family,
            status=status,
            sellable_on=sellable_on,
            limit=limit,
            offset=offset,
        )
    return Paged[OfferView](
        items=[OfferView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/offers/{offer_id}", response_model=OfferView)
async def get_offer(
    offer_id: UUID,
    request: Request,
    response: Response,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> OfferView:
    row = await find_one(request, offer_catalog, offer_id, consistency_token, "offer", response=response)
    return OfferView(**row)


@router.get("/offers/{offer_id}/versions", response_model=list[VersionedOfferView])
async def get_versions(
    offer_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> list[VersionedOfferView]:
    await await_token(request, offer_catalog.NAME, offer_id, consistency_token)
    async with request.app.state.runtime.pool.acquire() as conn:
        rows = await offer_catalog.versions(conn, offer_id)
    if not rows:
        raise not_found("offer", offer_id)
    return [VersionedOfferView(**r) for r in rows]


@router.get("/offer-categories", response_model=list[ServiceCategoryView])
async def get_categories(
    request: Request,
    status: Literal["active", "retired"] | None = "active",
    _: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> list[ServiceCategoryView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        return [ServiceCategoryView(**c) for c in await offer_catalog.categories(conn, status)]
