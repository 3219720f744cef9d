"""The public self-service landing: the catalog and identity verification. No API key: what a visitor reads or
changes about a client is scoped by the short-lived token verification gives (see landing_visitor.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from commands import identity_verification
from commands.self_service import NEEDS_CONTACT_PHONE
from domain.booking import latest_bookable
from domain.contract import COMMITMENTS
from domain.identity import CIN_INPUT_PATTERN
from gateways.errors import ApiError
from gateways.offers import OfferView
from infra.storage import visitor_access
from projections import client_directory, offer_catalog

router = APIRouter(prefix="/api/v1/landing", tags=["self-service"])
SERVICES = ("mobile", "internet", "landline")
ALL = 10_000  # one client's contracts, or the whole sellable catalog, fit in one page


class ServiceOffers(BaseModel):
    service: Literal["mobile", "internet", "landline"]
    needs_contact_phone: bool = Field(
        description="Whether a subscription to this service asks for a contact phone."
    )
    offers: list[OfferView] = Field(description="On sale today, cheapest first; empty when none is.")


class LandingBootstrap(BaseModel):
    today: date = Field(description="The earliest start date a subscription can take.")
    latest_start_date: date = Field(
        description="The latest start date (or plan-change date) that can be booked today."
    )
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
        ServiceOffers(
            service=service,
            needs_contact_phone=service in NEEDS_CONTACT_PHONE,
            offers=sorted(
                (OfferView(**o) for o in offers if o["service"] == service), key=lambda v: v.monthly_fee
            ),
        )
        for service in SERVICES
    ]
    return LandingBootstrap(
        today=today,
        latest_start_date=latest_bookable(today),
        commitment_months=list(COMMITMENTS),
        services=services,
    )


class VerifyIdentity(BaseModel):
    cin: str = Field(max_length=20, json_schema_extra={"pattern": CIN_INPUT_PATTERN})
    number: str = Field(
        max_length=20,
        description="A mobile number on file: one of the client's mobile lines, or the contact "
        "phone. The one-time code is sent there by SMS.",
    )


class VerificationChallenge(BaseModel):
    challenge_id: UUID = Field(
        description="Answer it with the code: POST /landing/verifications/{challenge_id}/code."
    )
    expires_at: datetime


class AnswerCode(BaseModel):
    code: str = Field(pattern=r"^[0-9]{6}$", description="The 6 digits the SMS gave.")


class VisitorSession(BaseModel):
    token: str = Field(description="Send it as `Authorization: Bearer <token>` to the /landing/me endpoints.")
    client_id: UUID
    expires_at: datetime
    expires_in: int = Field(
        description="Seconds the token stays valid from this answer. A browser counts them on its own clock, "
        "which need not agree with the server's: comparing expires_at with a device's clock turned a device "
        "set a day off into one that could never sign in."
    )


@router.post("/verifications", status_code=202, response_model=VerificationChallenge)
async def verify_identity(body: VerifyIdentity, request: Request) -> VerificationChallenge:
    """Always 202 with a challenge, whether or not the CIN and the number match a client: the answer says nothing about
    who is a customer. When they match, a one-time code is sent by SMS to that number. Requests are counted per CIN,
    per number and per client address; past a few, each must wait longer than the last (429 with `Retry-After`)."""
    runtime, key = request.app.state.runtime, await signing_key(request)
    async with runtime.pool.acquire() as conn:
        challenge = await identity_verification.request_code(
            conn,
            key,
            visitor_policy(request),
            client_directory.phones_on_file,
            body.cin,
            body.number,
            client_address(request),
            runtime.clock.now(),
        )
    return VerificationChallenge(challenge_id=challenge.challenge_id, expires_at=challenge.expires_at)


@router.post("/verifications/{challenge_id}/code", status_code=201, response_model=VisitorSession)
async def answer_code(challenge_id: UUID, body: AnswerCode, request: Request) -> VisitorSession:
    """The visitor token, for the code the SMS gave. A wrong code, an expired or used challenge, or one that matched no
    client: the same 401 `verification_failed`. Each challenge allows a few tries."""
    runtime, key = request.app.state.runtime, await signing_key(request)
    now = runtime.clock.now()
    async with runtime.pool.acquire() as conn:
        session = await identity_verification.answer_code(
            conn, key, visitor_policy(request), challenge_id, body.code, now
        )
    if session is None:
        raise ApiError(
            401,
            "verification_failed",
            "the code is wrong, has expired or was already used; ask for a new one",
        )
    return VisitorSession(
        token=session.token,
        client_id=session.client_id,
        expires_at=session.expires_at,
        expires_in=int((session.expires_at - now).total_seconds()),
    )


def visitor_policy(request: Request) -> identity_verification.VisitorPolicy:
    return identity_verification.VisitorPolicy.of(request.app.state.runtime.settings)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def signing_key(request: Request) -> bytes:
    """The shared token-signing key, read from the database once per process."""
    key = getattr(request.app.state, "visitor_signing_key", None)
    if key is None:
        async with request.app.state.runtime.pool.acquire() as conn:
            key = request.app.state.visitor_signing_key = await visitor_access.signing_key(conn)
    return key


# The visitor token is an HTTP bearer scheme in the OpenAPI document, so generated clients know it.
visitor_token = HTTPBearer(
    scheme_name="VisitorToken",
    auto_error=False,
    description="The short-lived token POST /api/v1/landing/verifications answers, scoped to one client.",
)


async def visitor(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(visitor_token)
) -> UUID:
    """The client the bearer token is scoped to."""
    if credentials is None:
        raise verification_required()
    return await _token_client(request, f"Bearer {credentials.credentials}")


async def optional_visitor(
    request: Request, authorization: str | None = Header(default=None, max_length=500)
) -> UUID | None:
    """The client the bearer token is scoped to, if one is sent (a bad token is still refused)."""
    return await _token_client(request, authorization) if authorization else None


def verification_required() -> ApiError:
    return ApiError(
        401,
        "verification_required",
        "verify your identity first: POST /api/v1/landing/verifications",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def _token_client(request: Request, authorization: str) -> UUID:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise verification_required()
    runtime = request.app.state.runtime
    client_id = visitor_access.client_of(await signing_key(request), token.strip(), runtime.clock.now())
    if client_id is None:
        raise visitor_token_invalid()
    return client_id


def visitor_token_invalid() -> ApiError:
    return ApiError(
        401,
        "visitor_token_invalid",
        "the token is invalid or has expired; verify again",
        headers={"WWW-Authenticate": "Bearer"},
    )


def token_expiry(request: Request) -> datetime:
    """When a token issued now expires: visitor and document tokens last as long."""
    return request.app.state.runtime.clock.now() + visitor_policy(request).token_lifetime
