"""A new subscription from the landing: drafts saved and restored by token, a preview, and the submit,
reconciled by CIN (commands/self_service.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from commands.idempotency import IdempotencyKey
from commands.self_service import SubmitSubscription, VerificationRequired, preview_subscription, submit_subscription
from gateways.auth import Principal
from gateways.commanding import Accepted, run_command
from gateways.errors import ApiError
from domain.identity import normalize_cin
from gateways.landing import (
    attempt_window, claim_attempt, client_address, optional_visitor, signing_key, token_expiry, too_many, verification_required,
)
from infra import landing_drafts, visitor_access

router = APIRouter(prefix="/api/v1/landing", tags=["self-service"])
DRAFT_TOKEN = Header(alias="X-Draft-Token", min_length=20, max_length=100, description="The token the draft was created with.")
Short = Annotated[str, StringConstraints(max_length=200)]


class SubscriptionDraft(BaseModel):
    """Whatever the visitor has entered so far: every field is optional, and checked only when submitted."""

    step: int | None = Field(default=None, ge=1, le=5, description="1 service, 2 offer, 3 personal info, 4 preview, 5 submit.")
    service: Literal["mobile", "internet", "landline"] | None = None
    offer_id: UUID | None = None
    commitment_months: Literal[0, 12, 24] | None = None
    start_date: date | None = None
    cin: Annotated[str, StringConstraints(max_length=20)] | None = None
    full_name: Short | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None
    phone: Annotated[str, StringConstraints(max_length=20)] | None = None
    number_choice: Literal["keep", "new"] | None = Field(default=None, description="Mobile: keep a number, or get a new one.")
    number: Annotated[str, StringConstraints(max_length=20)] | None = None


class SavedDraft(BaseModel):
    draft: SubscriptionDraft
    saved_at: datetime
    expires_at: datetime


class CreatedDraft(SavedDraft):
    token: str = Field(description="Keep it: it is the only way back to this draft (send it as X-Draft-Token).")


def _keep(request: Request) -> timedelta:
    return timedelta(days=request.app.state.runtime.settings.landing_draft_days)


@router.post("/drafts", status_code=201, response_model=CreatedDraft)
async def save_new_draft(body: SubscriptionDraft, request: Request) -> CreatedDraft:
    runtime, token = request.app.state.runtime, landing_drafts.new_token()
    async with runtime.pool.acquire() as conn:
        saved = await landing_drafts.create(conn, token, body.model_dump(mode="json"), runtime.clock.now(), _keep(request))
    return CreatedDraft(token=token, draft=body, saved_at=saved.saved_at, expires_at=saved.expires_at)


@router.get("/draft", response_model=SavedDraft)
async def restore_draft(request: Request, token: str = DRAFT_TOKEN) -> SavedDraft:
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        saved = await landing_drafts.restore(conn, token, runtime.clock.now())
    return _saved(saved)


@router.put("/draft", response_model=SavedDraft)
async def save_draft(body: SubscriptionDraft, request: Request, token: str = DRAFT_TOKEN) -> SavedDraft:
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        saved = await landing_drafts.replace(conn, token, body.model_dump(mode="json"), runtime.clock.now(), _keep(request))
    return _saved(saved)


@router.delete("/draft", status_code=204, response_class=Response)
async def discard_draft(request: Request, token: str = DRAFT_TOKEN) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        if not await landing_drafts.discard(conn, token):
            raise _no_draft()
    return Response(status_code=204)


def _saved(saved: landing_drafts.Draft | None) -> SavedDraft:
    if saved is None:
        raise _no_draft()
    return SavedDraft(draft=SubscriptionDraft(**saved.body), saved_at=saved.saved_at, expires_at=saved.expires_at)


def _no_draft() -> ApiError:
    return ApiError(404, "draft_not_found", "no draft under this token (drafts expire after their last save)")


class SubscriptionPreviewView(BaseModel):
    service: str
    offer_id: UUID
    offer_name: str
    offer_version: int
    components: list[dict[str, Any]]
    monthly_fee: Decimal
    activation_fee: Decimal
    commitment_months: int
    start_date: date
    cin: str
    full_name: str
    email: str
    address: str
    phone: str | None
    number: str | None
    number_status: Literal["allocated_on_submit", "free", "in_use"] = Field(
        description="in_use: a line on file; submitted by its verified owner, it changes that line's plan."
    )


@router.post("/subscriptions/preview", response_model=SubscriptionPreviewView)
async def preview(body: SubmitSubscription, request: Request) -> SubscriptionPreviewView:
    """The full summary before submitting, checked as far as it can be without saying whether the CIN is on file."""
    runtime = request.app.state.runtime
    checked = await runtime.run_command(lambda: preview_subscription(runtime.store, runtime.clock, body))
    offer = checked.offer
    return SubscriptionPreviewView(
        service=offer.service, offer_id=offer.id, offer_name=offer.name, offer_version=offer.terms_version, components=offer.components,
        monthly_fee=offer.monthly_fee, activation_fee=offer.activation_fee, commitment_months=body.commitment_months,
        start_date=checked.start_date, cin=checked.cin, full_name=body.full_name, email=body.email, address=body.address,
        phone=body.phone, number=checked.number, number_status=checked.number_status,
    )


class SubscriptionAccepted(Accepted):
    decision: Literal["new_line", "plan_change"]
    client_id: UUID
    number: str = Field(description="The line's number: kept, or allocated by the backend.")
    document_token: str = Field(description="Opens this contract's PDF, and nothing else, for the confirmation page: "
                                            "`GET /landing/contracts/{id}/document` with `Authorization: Bearer <it>`.")
    document_expires_at: datetime


@router.post("/subscriptions", status_code=201, response_model=SubscriptionAccepted,
             responses={200: {"model": SubscriptionAccepted, "description": "A plan change on a line on file."}})
async def submit(
    body: SubmitSubscription,
    request: Request,
    response: Response,
    idempotency_key: str = Header(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
    verified: UUID | None = Depends(optional_visitor),
) -> SubscriptionAccepted:
    """A new line (201) or a plan change on a line on file (200), by the CIN reconciliation rules; Idempotency-Key required.
    A CIN on file needs a visitor token for that client: without one the attempt counts as a failed verification."""
    key = IdempotencyKey(scope="landing", key=idempotency_key)
    who = Principal(key_id=f"client:{verified}" if verified else "visitor", role="self-service")
    await _claim_submission(request)
    try:
        outcome = await run_command(request, who, "SubmitSubscription", lambda rt, ctx: submit_subscription(
            rt.store, rt.clock, rt.operator, body, ctx, key, verified))
    except VerificationRequired:
        await _count_failure(request, body.cin)
        raise verification_required() from None
    response.status_code = 201 if outcome.decision == "new_line" else 200
    response.headers["X-Consistency-Token"] = str(outcome.result.position)
    expires = token_expiry(request)
    token = visitor_access.issue_contract_token(await signing_key(request), outcome.result.id, expires)
    return SubscriptionAccepted(id=str(outcome.result.id), position=outcome.result.position, decision=outcome.decision,
                                client_id=outcome.client_id, number=outcome.number, document_token=token, document_expires_at=expires)


async def _claim_submission(request: Request) -> None:
    """Counts a submission from this address before it runs; 429 once the address has submitted too often.
    Every submission counts, accepted or refused: a refusal must not be a free probe of what is on file."""
    runtime = request.app.state.runtime
    subject = visitor_access.submission_subject(await signing_key(request), client_address(request))
    now = runtime.clock.now()
    async with runtime.pool.acquire() as conn:
        if until := await visitor_access.claim(conn, {subject: runtime.settings.landing_submissions_per_address},
                                               attempt_window(runtime.settings), now):
            raise too_many(until, now, "too_many_submissions", "too many subscriptions from this address")


async def _count_failure(request: Request, raw_cin: str) -> None:
    """A submission for a CIN on file, without its token, is a guess at that CIN: counted and limited like one."""
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        await claim_attempt(request, conn, normalize_cin(raw_cin), runtime.clock.now())
