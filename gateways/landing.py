"""The public self-service landing: the catalog and identity verification. No API key: what a visitor reads or
changes about a client is scoped by the short-lived token verification gives (see landing_visitor.py)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, model_validator

from commands.base import exactly_one_of
from commands.self_service import NEEDS_CONTACT_PHONE
from domain.booking import latest_bookable
from domain.contract import COMMITMENTS
from domain.identity import CIN_INPUT_PATTERN, normalize_cin
from domain.numbers import as_any_number
from domain.self_service import contract_number
from gateways.errors import ApiError
from gateways.offers import OfferView
from infra import visitor_access
from projections import client_directory, offer_catalog

router = APIRouter(prefix="/api/v1/landing", tags=["self-service"])
SERVICES = ("mobile", "internet", "landline")
ALL = 10_000  # one client's contracts, or the whole sellable catalog, fit in one page


class ServiceOffers(BaseModel):
    service: Literal["mobile", "internet", "landline"]
    needs_contact_phone: bool = Field(description="Whether a subscription to this service asks for a contact phone.")
    offers: list[OfferView] = Field(description="On sale today, cheapest first; empty when none is.")


class LandingBootstrap(BaseModel):
    today: date = Field(description="The earliest start date a subscription can take.")
    latest_start_date: date = Field(description="The latest start date (or plan-change date) that can be booked today.")
    commitment_months: list[int]
    services: list[ServiceOffers]


@router.get("/bootstrap", response_model=LandingBootstrap)
async def bootstrap(request: Request) -> LandingBootstrap:
    """What the landing needs to start: the services, and the offers on sale today in each."""
    runtime = request.app.state.runtime
    today = runtime.clock.today()
    async with runtime.pool.acquire() as conn:
        offers, _ = await offer_catalog.search(conn, sellable_on=today, limit=ALL, offset=0)
    services = [
        ServiceOffers(service=service, needs_contact_phone=service in NEEDS_CONTACT_PHONE,
                      offers=sorted((OfferView(**o) for o in offers if o["service"] == service), key=lambda v: v.monthly_fee))
        for service in SERVICES
    ]
    return LandingBootstrap(today=today, latest_start_date=latest_bookable(today), commitment_months=list(COMMITMENTS), services=services)


class VerifyIdentity(BaseModel):
    model_config = ConfigDict(json_schema_extra=exactly_one_of("contract_number", "number"))

    cin: str = Field(max_length=20, json_schema_extra={"pattern": CIN_INPUT_PATTERN})
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
    """CIN plus a second factor the operator holds. Failures are counted per CIN and per client address: each attempt
    is counted before it is checked, and a match takes its count back."""
    runtime, settings = request.app.state.runtime, request.app.state.runtime.settings
    cin, number = normalize_cin(body.cin), _any_number(body.number)
    now = runtime.clock.now()
    key = await signing_key(request)
    async with runtime.pool.acquire() as conn:
        counted = await claim_attempt(request, conn, cin, now)
        client_id = await _matching_client(conn, cin, body.contract_number, number)
        if client_id is not None:
            await visitor_access.forget(conn, counted["cin"])  # not the address's failures: one address may be guessing at many CINs
            await visitor_access.release(conn, counted["address"], now)
    if client_id is None:
        raise ApiError(401, "verification_failed", "the CIN and the second factor do not match a client on file")
    expires = now + timedelta(minutes=settings.landing_token_minutes)
    return VisitorSession(token=visitor_access.issue_token(key, client_id, expires), client_id=client_id, expires_at=expires)


def attempt_window(settings) -> timedelta:
    return timedelta(minutes=settings.landing_attempt_window_minutes)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def claim_attempt(request: Request, conn, cin: str, now: datetime) -> dict[str, str]:
    """Counts a verification of this CIN from this address as failed, and says what it is counted under;
    429, counting nothing, once either has failed too often."""
    settings = request.app.state.runtime.settings
    counted = visitor_access.subjects(await signing_key(request), cin, client_address(request))
    limits = {counted["cin"]: settings.landing_failures_per_cin, counted["address"]: settings.landing_failures_per_address}
    if until := await visitor_access.claim(conn, limits, attempt_window(settings), now):
        raise too_many(until, now, "too_many_attempts", "too many failed verifications")
    return counted


def too_many(until: datetime, now: datetime, code: str, what: str) -> ApiError:
    wait = max(1, math.ceil((until - now).total_seconds()))
    return ApiError(429, code, f"{what}; try again later", {"retry_after_s": wait}, headers={"Retry-After": str(wait)})


def _any_number(raw: str | None) -> str | None:
    if raw is None:
        return None
    if (number := as_any_number(raw)) is None:
        raise ApiError(422, "invalid_number", "not a Moroccan mobile or landline number", {"field": "number"})
    return number


async def signing_key(request: Request) -> bytes:
    """The shared token-signing key, read from the database once per process."""
    key = getattr(request.app.state, "visitor_signing_key", None)
    if key is None:
        async with request.app.state.runtime.pool.acquire() as conn:
            key = request.app.state.visitor_signing_key = await visitor_access.signing_key(conn)
    return key


async def _matching_client(conn, cin: str, given_contract_number: str | None, number: str | None) -> UUID | None:
    wanted = given_contract_number.strip().upper() if given_contract_number else None
    for c in await client_directory.second_factors(conn, cin):
        if wanted == contract_number(c["contract_id"], c["start_date"]):
            return c["client_id"]
        if number is not None and number == c["number"] and c["status"] != "terminated":  # a released number may be someone else's now
            return c["client_id"]
    return None


# The visitor token is an HTTP bearer scheme in the OpenAPI document, so generated clients know it.
visitor_token = HTTPBearer(scheme_name="VisitorToken", auto_error=False,
                           description="The short-lived token POST /api/v1/landing/verifications answers, scoped to one client.")


async def visitor(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(visitor_token)) -> UUID:
    """The client the bearer token is scoped to."""
    if credentials is None:
        raise verification_required()
    return await _token_client(request, f"Bearer {credentials.credentials}")


async def optional_visitor(request: Request, authorization: str | None = Header(default=None, max_length=500)) -> UUID | None:
    """The client the bearer token is scoped to, if one is sent (a bad token is still refused)."""
    return await _token_client(request, authorization) if authorization else None


def verification_required() -> ApiError:
    return ApiError(401, "verification_required", "verify your identity first: POST /api/v1/landing/verifications",
                    headers={"WWW-Authenticate": "Bearer"})


async def _token_client(request: Request, authorization: str) -> UUID:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise verification_required()
    runtime = request.app.state.runtime
    client_id = visitor_access.client_of(await signing_key(request), token.strip(), runtime.clock.now())
    if client_id is None:
        raise ApiError(401, "visitor_token_invalid", "the token is invalid or has expired; verify again",
                       headers={"WWW-Authenticate": "Bearer"})
    return client_id
