"""A verified self-service visitor's own things: active contracts and the plan changes open to them, plan
changes with a before/after preview, and invoices. Every endpoint is scoped by the visitor token."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, Field

from commands.contracts import ProvisionContract, provision_contract
from commands.idempotency import IdempotencyKey
from commands.self_service import preview_plan_change
from domain.booking import bookable
from domain.self_service import legacy_reference, plan_options
from gateways.auth import Principal
from gateways.commanding import Accepted, execute_with_outcome
from gateways.invoices import (
    CreditNoteView,
    InvoiceView,
    credit_note_pdf_response,
    invoice_pdf_response,
    invoice_view,
)
from gateways.landing import ALL, SERVICES, visitor
from gateways.offers import OfferView
from gateways.openapi import PDF
from gateways.queries import LIMIT, OFFSET, Page, Paged
from projections import contract_summary, credit_note_register, invoice_register, offer_catalog

router = APIRouter(prefix="/api/v1/landing", tags=["self-service"])


class PlanOptionView(BaseModel):
    offer: OfferView
    change: Literal["upgrade", "downgrade", "lateral"]
    earliest_effective_date: date


class VisitorContract(BaseModel):
    contract_id: UUID
    contract_number: str = Field(
        description="The contract's reference as printed on its documents: a reference to quote, not a credential."
    )
    number: str
    offer_id: UUID
    offer_name: str
    monthly_fee: Decimal
    start_date: date
    commitment_months: int
    plan_options: list[PlanOptionView] = Field(
        description="Empty when no other offer of this service is on sale."
    )


class ServiceContracts(BaseModel):
    service: Literal["mobile", "internet", "landline"]
    contracts: list[VisitorContract]


class VisitorContracts(BaseModel):
    client_id: UUID
    services: list[ServiceContracts] = Field(
        description="Only services with an active contract; an empty list when there is none."
    )


@router.get("/me/contracts", response_model=VisitorContracts)
async def my_contracts(request: Request, client_id: UUID = Depends(visitor)) -> VisitorContracts:
    """The visitor's active contracts by service, each with the plan changes open to it."""
    runtime = request.app.state.runtime
    today = runtime.clock.today()
    async with runtime.pool.acquire() as conn:
        contracts, _ = await contract_summary.search(
            conn, client_id=client_id, status="active", limit=ALL, offset=0
        )
        offers, _ = (
            await offer_catalog.search(conn, sellable_on=today, limit=ALL, offset=0) if contracts else ([], 0)
        )
    views = [_contract_view(c, offers, today) for c in contracts]
    services = [
        ServiceContracts(service=s, contracts=[v for v, c in zip(views, contracts) if c["service"] == s])
        for s in SERVICES
    ]
    return VisitorContracts(client_id=client_id, services=[s for s in services if s.contracts])


def _contract_view(row: dict, offers: list[dict], today: date) -> VisitorContract:
    options = plan_options(
        service=row["service"],
        offer_id=row["offer_id"],
        monthly_fee=row["monthly_fee"],
        start_date=row["start_date"],
        commitment_months=row["commitment_months"],
        offers=offers,
        today=today,
    )
    return VisitorContract(
        contract_number=row["reference"] or legacy_reference(row["contract_id"], row["start_date"]),
        plan_options=[
            PlanOptionView(
                offer=OfferView(**o.offer), change=o.change, earliest_effective_date=o.earliest_effective_date
            )
            for o in options
        ],
        **{
            k: row[k]
            for k in (
                "contract_id",
                "number",
                "offer_id",
                "offer_name",
                "monthly_fee",
                "start_date",
                "commitment_months",
            )
        },
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
    """A plan change on one of the visitor's contracts, under the same rules as the operator's;
    Idempotency-Key required."""
    bookable(
        body.effective_date, request.app.state.runtime.clock.today(), "effective_date"
    )  # named as the visitor sent it
    command = ProvisionContract(
        client_id=client_id,
        offer_id=body.offer_id,
        start_date=body.effective_date,
        target_contract_id=contract_id,
    )
    key = IdempotencyKey(scope=f"landing:{client_id}", key=idempotency_key)
    who = Principal(key_id=f"client:{client_id}", role="self-service")
    accepted, decision = await execute_with_outcome(request, response, who, provision_contract, command, key)
    return PlanChangeRequested(**accepted.model_dump(), decision=decision)


class PlanView(BaseModel):
    offer_id: UUID
    offer_version: int
    offer_name: str
    monthly_fee: Decimal


class PlanChangePreviewView(BaseModel):
    contract_id: UUID
    effective_date: date
    change: Literal["upgrade", "downgrade", "lateral"]
    before: PlanView
    after: PlanView
    after_components: list[dict]


@router.post("/me/contracts/{contract_id}/plan-changes/preview", response_model=PlanChangePreviewView)
async def preview_my_plan_change(
    contract_id: UUID, body: RequestPlanChange, request: Request, client_id: UUID = Depends(visitor)
) -> PlanChangePreviewView:
    """The plan before and after, checked by the same rules as the change itself; nothing is recorded."""
    runtime = request.app.state.runtime
    preview = await runtime.run_command(
        lambda: preview_plan_change(
            runtime.store, runtime.clock, client_id, contract_id, body.offer_id, body.effective_date
        )
    )
    after = preview.after
    return PlanChangePreviewView(
        contract_id=contract_id,
        effective_date=body.effective_date,
        change=preview.change,
        before=PlanView(**{k: getattr(preview.before, k) for k in PlanView.model_fields}),
        after=PlanView(
            offer_id=after.id,
            offer_version=after.terms_version,
            offer_name=after.name,
            monthly_fee=after.monthly_fee,
        ),
        after_components=after.components,
    )


@router.get("/me/invoices", response_model=Paged[InvoiceView])
async def my_invoices(
    request: Request, limit: int = LIMIT, offset: int = OFFSET, client_id: UUID = Depends(visitor)
) -> Paged[InvoiceView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await invoice_register.search(conn, client_id=client_id, limit=limit, offset=offset)
    return Paged[InvoiceView](
        items=[invoice_view(r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/me/invoices/{invoice_id}/pdf", response_class=Response, responses=PDF)
async def my_invoice_pdf(invoice_id: UUID, request: Request, client_id: UUID = Depends(visitor)) -> Response:
    return await invoice_pdf_response(request, invoice_id, client_id)


@router.get("/me/credit-notes", response_model=Paged[CreditNoteView])
async def my_credit_notes(
    request: Request, limit: int = LIMIT, offset: int = OFFSET, client_id: UUID = Depends(visitor)
) -> Paged[CreditNoteView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await credit_note_register.search(conn, client_id=client_id, limit=limit, offset=offset)
    return Paged[CreditNoteView](
        items=[CreditNoteView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/me/credit-notes/{credit_note_id}/pdf", response_class=Response, responses=PDF)
async def my_credit_note_pdf(
    credit_note_id: UUID, request: Request, client_id: UUID = Depends(visitor)
) -> Response:
    return await credit_note_pdf_response(request, credit_note_id, client_id)
