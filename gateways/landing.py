"""The public self-service landing: the catalog, identity verification, and a verified visitor's contracts,
plan changes and invoices. No API key: what a visitor reads or changes is scoped by a short-lived token."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, Field, model_validator

from commands.contracts import ProvisionContract, provision_contract
from commands.idempotency import IdempotencyKey
from domain.errors import RuleViolation
from domain.identity import normalize_cin
from domain.numbers import normalize_number
from domain.self_service import contract_number, plan_options
from gateways.auth import Principal
from gateways.commanding import Accepted, execute_with_outcome
from gateways.errors import ApiError
from gateways.invoices import InvoiceView, invoice_pdf_response, invoice_view
from gateways.offers import OfferView
from gateways.queries import LIMIT, OFFSET, Page, Paged
from infra import visitor_access
from infra.visitor_access import AttemptLimits
from projections import client_directory, contract_summary, invoice_register, offer_catalog

router = APIRouter(prefix="/api/v1/landing", tags=["self-service"])
SERVICES = ("mobile", "internet", "landline")
ALL = 10_000  # one client's contracts, or the whole sellable catalog, fit in one page


class ServiceOffers(BaseModel):
    service: Literal["mobile", "internet", "landline"]
    offers: list[OfferView]


class LandingCatalog(BaseModel):
    services: list[ServiceOffers]


@router.get("/offers", response_model=LandingCatalog)
async def catalog(request: Request) -> LandingCatalog:
    """The services and the offers on sale today in each, cheapest first."""
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        offers, _ = await offer_catalog.search(conn, sellable_on=runtime.clock.today(), limit=ALL, offset=0)
    by_service = {service: [OfferView(**o) for o in offers if o["service"] == service] for service in SERVICES}
    return LandingCatalog(services=[ServiceOffers(service=s, offers=sorted(o, key=lambda v: v.monthly_fee)) for s, o in by_service.items()])


class VerifyIdentity(BaseModel):
    cin: str = Field(max_length=20)
    contract_number: str | None = Field(default=None, max_length=40, description="As printed on a contract document: CT-2026-1A2B3C4D.")
    number: str | None = Field(default=None, max_length=20, description="A mobile or landline number on one of the client's contracts.")

    @model_validator(mode="after")
    def _one_factor(self) -> VerifyIdentity:
        if (self.contract_number is None) == (self.number is None):
            raise ValueError("give exactly one second factor: contract_number or number")
        return self


class VisitorSession(BaseModel):
    token: str = Field(description="Send it as `Authorization: Bearer <token>` to the /landing/me endpoints.")
    client_id: UUID
    expires_at: datetime


@router.post("/verifications", status_code=201, response_model=VisitorSession)
async def verify_identity(body: VerifyIdentity, request: Request) -> VisitorSession:
    """CIN plus a second factor the operator holds. Failures are counted per CIN and per client address."""
    runtime, settings = request.app.state.runtime, request.app.state.runtime.settings
    cin, number = normalize_cin(body.cin), _any_number(body.number)
    now = runtime.clock.now()
    limits = AttemptLimits(settings.landing_failures_per_cin, settings.landing_failures_per_address,
                           timedelta(minutes=settings.landing_failure_window_minutes))
    async with runtime.pool.acquire() as conn:
        key = await _signing_key(request, conn)
        counted = visitor_access.subjects(key, cin, request.client.host if request.client else "unknown")
        if until := await visitor_access.blocked_until(conn, counted, limits, now):
            wait = max(1, math.ceil((until - now).total_seconds()))
            raise ApiError(429, "too_many_attempts", "too many failed verifications; try again later", {"retry_after_s": wait},
                           headers={"Retry-After": str(wait)})
        client_id = await _matching_client(conn, cin, body.contract_number, number)
        if client_id is None:
            await visitor_access.record_failure(conn, counted, now)
            raise ApiError(401, "verification_failed", "the CIN and the second factor do not match a client on file")
        await visitor_access.forget_failures(conn, counted, now, limits.window)
    expires = now + timedelta(minutes=settings.landing_token_minutes)
    return VisitorSession(token=visitor_access.issue_token(key, client_id, expires), client_id=client_id, expires_at=expires)


def _any_number(raw: str | None) -> str | None:
    if raw is None:
        return None
    for kind in ("mobile", "landline"):
        try:
            return normalize_number(raw, kind)
        except RuleViolation:
            continue
    raise ApiError(422, "invalid_number", "not a Moroccan mobile or landline number", {"field": "number"})


async def _signing_key(request: Request, conn) -> bytes:
    key = getattr(request.app.state, "visitor_signing_key", None)
    if key is None:
        key = request.app.state.visitor_signing_key = await visitor_access.signing_key(conn)
    return key


async def _matching_client(conn, cin: str, given_contract_number: str | None, number: str | None) -> UUID | None:
    clients, _ = await client_directory.search(conn, cin=cin, limit=1, offset=0)
    if not clients:
        return None
    contracts, _ = await contract_summary.search(conn, client_id=clients[0]["client_id"], limit=ALL, offset=0)
    wanted = given_contract_number.strip().upper() if given_contract_number else None
    for c in contracts:
        if wanted == contract_number(c["contract_id"], c["start_date"]) or (number is not None and number == c["number"]):
            return clients[0]["client_id"]
    return None


async def visitor(request: Request, authorization: str | None = Header(default=None, max_length=500)) -> UUID:
    """The client the bearer token is scoped to."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "verification_required", "verify your identity first: POST /api/v1/landing/verifications",
                       headers={"WWW-Authenticate": "Bearer"})
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        key = await _signing_key(request, conn)
    client_id = visitor_access.client_of(key, token.strip(), runtime.clock.now())
    if client_id is None:
        raise ApiError(401, "visitor_token_invalid", "the token is invalid or has expired; verify again",
                       headers={"WWW-Authenticate": "Bearer"})
    return client_id


class PlanOptionView(BaseModel):
    offer: OfferView
    change: Literal["upgrade", "downgrade", "lateral"]
    earliest_effective_date: date


class VisitorContract(BaseModel):
    contract_id: UUID
    contract_number: str
    number: str
    offer_id: UUID
    offer_name: str
    monthly_fee: Decimal
    start_date: date
    commitment_months: int
    plan_options: list[PlanOptionView] = Field(description="Empty when no other offer of this service is on sale.")


class ServiceContracts(BaseModel):
    service: Literal["mobile", "internet", "landline"]
    contracts: list[VisitorContract]


class VisitorContracts(BaseModel):
    client_id: UUID
    services: list[ServiceContracts] = Field(description="Only services with an active contract; an empty list when there is none.")


@router.get("/me/contracts", response_model=VisitorContracts)
async def my_contracts(request: Request, client_id: UUID = Depends(visitor)) -> VisitorContracts:
    """The visitor's active contracts by service, each with the plan changes open to it."""
    runtime = request.app.state.runtime
    today = runtime.clock.today()
    async with runtime.pool.acquire() as conn:
        contracts, _ = await contract_summary.search(conn, client_id=client_id, status="active", limit=ALL, offset=0)
        offers, _ = await offer_catalog.search(conn, sellable_on=today, limit=ALL, offset=0) if contracts else ([], 0)
    views = [_contract_view(c, offers, today) for c in contracts]
    services = [ServiceContracts(service=s, contracts=[v for v, c in zip(views, contracts) if c["service"] == s]) for s in SERVICES]
    return VisitorContracts(client_id=client_id, services=[s for s in services if s.contracts])


def _contract_view(row: dict, offers: list[dict], today: date) -> VisitorContract:
    options = plan_options(service=row["service"], offer_id=row["offer_id"], monthly_fee=row["monthly_fee"], start_date=row["start_date"],
                           commitment_months=row["commitment_months"], offers=offers, today=today)
    return VisitorContract(
        contract_number=contract_number(row["contract_id"], row["start_date"]),
        plan_options=[PlanOptionView(offer=OfferView(**o.offer), change=o.change, earliest_effective_date=o.earliest_effective_date)
                      for o in options],
        **{k: row[k] for k in ("contract_id", "number", "offer_id", "offer_name", "monthly_fee", "start_date", "commitment_months")},
    )


class RequestPlanChange(BaseModel):
    offer_id: UUID
    effective_date: date


class PlanChangeRequested(Accepted):
    decision: Literal["plan_change"]


@router.post("/me/contracts/{contract_id}/plan-changes", response_model=PlanChangeRequested)
async def change_my_plan(
    contract_id: UUID,
    body: RequestPlanChange,
    request: Request,
    response: Response,
    idempotency_key: str = Header(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
    client_id: UUID = Depends(visitor),
) -> PlanChangeRequested:
    """A plan change on one of the visitor's contracts, under the same rules as the operator's; Idempotency-Key required."""
    if body.effective_date < request.app.state.runtime.clock.today():
        raise ApiError(422, "effective_date_in_past", "the effective date is in the past", {"field": "effective_date"})
    command = ProvisionContract(client_id=client_id, offer_id=body.offer_id, start_date=body.effective_date, target_contract_id=contract_id)
    key = IdempotencyKey(scope=f"landing:{client_id}", key=idempotency_key)
    who = Principal(key_id=f"client:{client_id}", role="self-service")
    accepted, decision = await execute_with_outcome(
        request, response, who, "ProvisionContract", lambda rt, ctx: provision_contract(rt.store, rt.clock, rt.operator, command, ctx, key)
    )
    return PlanChangeRequested(**accepted.model_dump(), decision=decision)


@router.get("/me/invoices", response_model=Paged[InvoiceView])
async def my_invoices(request: Request, limit: int = LIMIT, offset: int = OFFSET, client_id: UUID = Depends(visitor)) -> Paged[InvoiceView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await invoice_register.search(conn, client_id=client_id, limit=limit, offset=offset)
    return Paged[InvoiceView](items=[invoice_view(r) for r in rows], page=Page(limit=limit, offset=offset, total=total))


@router.get("/me/invoices/{invoice_id}/pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def my_invoice_pdf(invoice_id: UUID, request: Request, client_id: UUID = Depends(visitor)) -> Response:
    return await invoice_pdf_response(request, invoice_id, client_id)
