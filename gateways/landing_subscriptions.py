"""A new subscription from the landing: drafts saved and restored by token, a preview, and the submit,
reconciled by CIN (commands/self_service.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from commands import identity_verification
from commands.idempotency import IdempotencyKey
from commands.numbers import NumberHold, hold_number, release_held_number
from commands.self_service import (
    SubmitSubscription,
    VerificationRequired,
    preview_subscription,
    submit_subscription,
)
from domain.numbers import number_kind_for
from gateways.auth import Principal
from gateways.commanding import Accepted, run_command
from gateways.errors import ApiError
from gateways.landing import (
    client_address,
    optional_visitor,
    signing_key,
    token_expiry,
    verification_required,
    visitor_policy,
)
from infra.storage import landing_drafts, visitor_access

router = APIRouter(prefix="/api/v1/landing", tags=["self-service"])
DRAFT_TOKEN = Header(
    alias="X-Draft-Token", min_length=20, max_length=100, description="The token the draft was created with."
)
OPTIONAL_DRAFT_TOKEN = Header(
    default=None,
    alias="X-Draft-Token",
    min_length=20,
    max_length=100,
    description="The draft this comes from: its held number is the new line's.",
)
VISITOR = Principal(key_id="visitor", role="self-service")
Short = Annotated[str, StringConstraints(max_length=200)]


class SubscriptionDraft(BaseModel):
    """Whatever the visitor has entered so far: every field is optional, and checked only when submitted."""

    step: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="The step the visitor was on: 1 service, 2 offer, 3 personal details, 4 number, 5 preview.",
    )
    service: Literal["mobile", "internet", "landline"] | None = None
    offer_id: UUID | None = None
    commitment_months: Literal[0, 12, 24] | None = None
    start_date: date | None = None
    cin: Annotated[str, StringConstraints(max_length=20)] | None = None
    full_name: Short | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None
    phone: Annotated[str, StringConstraints(max_length=20)] | None = None
    number_choice: Literal["keep", "new"] | None = Field(
        default=None, description="Mobile: keep a number, or get a new one."
    )
    number: Annotated[str, StringConstraints(max_length=20)] | None = None


class SavedDraft(BaseModel):
    draft: SubscriptionDraft
    saved_at: datetime
    expires_at: datetime


class CreatedDraft(SavedDraft):
    token: str = Field(
        description="Keep it: it is the only way back to this draft (send it as X-Draft-Token)."
    )


def _keep(request: Request) -> timedelta:
    return timedelta(days=request.app.state.runtime.settings.landing_draft_days)


@router.post("/drafts", status_code=201, response_model=CreatedDraft)
async def save_new_draft(body: SubscriptionDraft, request: Request) -> CreatedDraft:
    runtime, token = request.app.state.runtime, landing_drafts.new_token()
    async with runtime.pool.acquire() as conn:
        saved = await landing_drafts.create(
            conn, token, body.model_dump(mode="json"), runtime.clock.now(), _keep(request)
        )
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
        saved = await landing_drafts.replace(
            conn, token, body.model_dump(mode="json"), runtime.clock.now(), _keep(request)
        )
    return _saved(saved)


@router.delete("/draft", status_code=204, response_class=Response)
async def discard_draft(request: Request, token: str = DRAFT_TOKEN) -> Response:
    """Deletes the draft and frees the number it held."""
    async with request.app.state.runtime.pool.acquire() as conn:
        if not (discarded := await landing_drafts.discard(conn, token)):
            raise _no_draft()
    if discarded.number:
        await _release(request, NumberHold(discarded.holder, discarded.number))
    return Response(status_code=204)


class NumberRequest(BaseModel):
    service: Literal["mobile", "internet", "landline"]


class HeldNumberView(BaseModel):
    number: str = Field(description="The line's number, as the contract will have it.")
    service: Literal["mobile", "internet", "landline"]
    held_until: datetime = Field(
        description="Ask again before then to keep it longer; after it, the number may go to someone else."
    )


@router.post("/draft/number", response_model=HeldNumberView)
async def hold_draft_number(
    body: NumberRequest, request: Request, token: str = DRAFT_TOKEN
) -> HeldNumberView:
    """The number a new line of this service would get, held for the draft so that the contract gets the number shown.
    Asked again, it answers the same number (held longer) while nobody else has taken it; for another service, a new
    number of that kind, and the old one is freed. Submitting with `X-Draft-Token` gives the line this number."""
    runtime = request.app.state.runtime
    await _claim_per_address(
        request,
        "number-hold",
        runtime.settings.landing_number_holds_per_address,
        "too_many_number_holds",
        "too many numbers asked for from this address",
    )
    async with runtime.pool.acquire() as conn:
        if (draft := await landing_drafts.hold_of(conn, token, runtime.clock.now())) is None:
            raise _no_draft()
    hold_for = timedelta(minutes=runtime.settings.landing_number_hold_minutes)
    held = await run_command(
        request, VISITOR, hold_number, number_kind_for(body.service), draft.holder, draft.number, hold_for
    )
    async with runtime.pool.acquire() as conn:
        await landing_drafts.record_hold(conn, token, held.number)
    return HeldNumberView(number=held.number, service=body.service, held_until=held.held_until)


async def _done_with_draft(request: Request, token: str, number: str) -> None:
    """Deletes a submitted draft, and frees the number it held if the line did not take it (a kept number instead)."""
    async with request.app.state.runtime.pool.acquire() as conn:
        discarded = await landing_drafts.discard(conn, token)
    if discarded and discarded.number and discarded.number != number:
        await _release(request, NumberHold(discarded.holder, discarded.number))


async def _release(request: Request, hold: NumberHold) -> None:
    await run_command(request, VISITOR, release_held_number, hold)


async def _draft_hold(request: Request, token: str | None) -> NumberHold | None:
    """The number the draft named by `token` holds. A draft that is gone (expired, or deleted by its own
    submission) holds nothing any more: a new line would answer number_hold_lost, while a resent submission
    still gets its answer."""
    if token is None:
        return None
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        draft = await landing_drafts.hold_of(conn, token, runtime.clock.now())
    if draft is None:
        return NumberHold(landing_drafts.holder_of(token), None)
    return NumberHold(draft.holder, draft.number) if draft.number else None


def _saved(saved: landing_drafts.Draft | None) -> SavedDraft:
    if saved is None:
        raise _no_draft()
    return SavedDraft(
        draft=SubscriptionDraft(**saved.body), saved_at=saved.saved_at, expires_at=saved.expires_at
    )


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
    number_status: Literal["allocated_on_submit", "held", "free", "in_use"] = Field(
        description="held: the number the draft holds, which the line gets; "
        "in_use: a line on file, whose plan changes if "
        "its verified owner submits."
    )


@router.post("/subscriptions/preview", response_model=SubscriptionPreviewView)
async def preview(
    body: SubmitSubscription, request: Request, draft_token: str | None = OPTIONAL_DRAFT_TOKEN
) -> SubscriptionPreviewView:
    """The full summary before submitting, checked as far as it can be without saying whether the CIN is on
    file. With `X-Draft-Token`, a new line shows the number its draft holds (409 `number_hold_lost` if it,
    or the draft, is gone)."""
    runtime = request.app.state.runtime
    hold = await _draft_hold(request, draft_token)
    checked = await runtime.run_command(
        lambda: preview_subscription(runtime.store, runtime.clock, body, hold)
    )
    offer = checked.offer
    return SubscriptionPreviewView(
        service=offer.service,
        offer_id=offer.id,
        offer_name=offer.name,
        offer_version=offer.terms_version,
        components=offer.components,
        monthly_fee=offer.monthly_fee,
        activation_fee=offer.activation_fee,
        commitment_months=body.commitment_months,
        start_date=checked.start_date,
        cin=checked.cin,
        full_name=body.full_name,
        email=body.email,
        address=body.address,
        phone=body.phone,
        number=checked.number,
        number_status=checked.number_status,
    )


class SubscriptionAccepted(Accepted):
    decision: Literal["new_line", "plan_change"]
    client_id: UUID
    number: str = Field(description="The line's number: kept, or allocated by the backend.")
    document_token: str = Field(
        description="Opens this contract's PDF, and nothing else, for the confirmation page: "
        "`GET /landing/contracts/{id}/document` with `Authorization: Bearer <it>`."
    )
    document_expires_at: datetime


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=SubscriptionAccepted,
    responses={200: {"model": SubscriptionAccepted, "description": "A plan change on a line on file."}},
)
async def submit(
    body: SubmitSubscription,
    request: Request,
    response: Response,
    idempotency_key: str = Header(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
    verified: UUID | None = Depends(optional_visitor),
    draft_token: str | None = OPTIONAL_DRAFT_TOKEN,
) -> SubscriptionAccepted:
    """A new line (201) or a plan change on a line on file (200), by the CIN reconciliation rules;
    Idempotency-Key required. A CIN on file needs a visitor token for that client: without one the attempt
    counts as a failed verification. With `X-Draft-Token`, a new line gets the number the draft holds
    (409 `number_hold_lost` if it, or the draft, is gone), and the draft, done with, is deleted."""
    key = IdempotencyKey(scope="landing", key=idempotency_key)
    who = Principal(key_id=f"client:{verified}" if verified else "visitor", role="self-service")
    await _claim_per_address(
        request,
        "submission",
        request.app.state.runtime.settings.landing_submissions_per_address,
        "too_many_submissions",
        "too many subscriptions from this address",
    )
    hold = await _draft_hold(request, draft_token)
    try:
        outcome = await run_command(request, who, submit_subscription, body, key, verified, hold)
    except VerificationRequired:
        await _count_failure(request, body.cin)
        raise verification_required() from None
    if draft_token is not None:
        await _done_with_draft(request, draft_token, outcome.number)
    response.status_code = 201 if outcome.decision == "new_line" else 200
    response.headers["X-Consistency-Token"] = str(outcome.result.position)
    expires = token_expiry(request)
    token = visitor_access.issue_contract_token(await signing_key(request), outcome.result.id, expires)
    return SubscriptionAccepted(
        id=str(outcome.result.id),
        position=outcome.result.position,
        decision=outcome.decision,
        client_id=outcome.client_id,
        number=outcome.number,
        document_token=token,
        document_expires_at=expires,
    )


async def _claim_per_address(request: Request, kind: str, limit: int, code: str, what: str) -> None:
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        await identity_verification.claim_per_address(
            conn,
            await signing_key(request),
            visitor_policy(request),
            kind,
            client_address(request),
            limit,
            runtime.clock.now(),
            (code, what),
        )


async def _count_failure(request: Request, raw_cin: str) -> None:
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn:
        await identity_verification.count_failure(
            conn,
            await signing_key(request),
            visitor_policy(request),
            raw_cin,
            client_address(request),
            runtime.clock.now(),
        )
