"""Contract endpoints: provisioning, and queries on the contract read models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, Field

from commands.contract_lifecycle import (
    ActivateContract,
    ChangePlan,
    ResumeContract,
    SuspendContract,
    TerminateContract,
    activate_contract,
    change_plan,
    resume_contract,
    suspend_contract,
    terminate_contract,
)
from commands.contracts import ProvisionContract, provision_contract
from commands.idempotency import IdempotencyKey
from gateways.auth import PARTNER_READ_ROLES, Principal, allow, partner, require_visible
from gateways.commanding import IDEMPOTENCY_KEY, IF_MATCH, Accepted, execute, execute_with_outcome
from gateways.errors import ApiError
from gateways.openapi import PDF
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, await_token, find_one
from infra.storage import documents
from projections import contract_audit_trail, contract_summary

router = APIRouter(prefix="/api/v1", tags=["contracts"])


class ContractView(BaseModel):
    contract_id: UUID
    client_id: UUID
    subscriber_id: UUID
    number: str
    offer_id: UUID
    offer_version: int
    offer_name: str
    service: str
    monthly_fee: Decimal
    activation_fee: Decimal
    start_date: date
    commitment_months: int
    plan_effective_from: date
    timeline: list[dict[str, Any]]
    status: str
    status_since: date
    early_termination_charge: Decimal
    documents: list[dict[str, Any]]
    provisioned_at: datetime
    updated_at: datetime
    version: int
    brought_by: str | None = Field(
        default=None,
        description="The partner (partner:<name>) that provisioned the contract; null: the staff.",
    )
    reference: str | None = Field(
        description="The reference printed for the customer (random; never a credential). Null only on a read model "
        "built before references existed, until `mtf replay`."
    )


class AuditEntry(BaseModel):
    version: int
    event_type: str
    occurred_at: datetime
    effective_date: date | None
    actor: str
    role: str
    reason: str | None
    correlation_id: str
    causation_id: str
    before: dict[str, Any] | None
    after: dict[str, Any]


class AuditTrail(BaseModel):
    contract_id: UUID
    items: list[AuditEntry]
    page: Page


class ProvisionAccepted(Accepted):
    decision: Literal["new_line", "plan_change"]


@router.post(
    "/contracts",
    status_code=201,
    response_model=ProvisionAccepted,
    responses={
        200: {"model": ProvisionAccepted, "description": "Decided as a plan change on an existing contract."}
    },
)
async def post_contract(
    body: ProvisionContract,
    request: Request,
    response: Response,
    idempotency_key: str | None = Header(
        default=None, min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"
    ),
    who: Principal = Depends(allow("operator", "integrator")),
) -> ProvisionAccepted:
    """A new line (201) or a plan change on an existing contract (200), decided by the provisioning rules.

    With an Idempotency-Key, a repeated request returns the first result and appends nothing.
    """
    key = IdempotencyKey(scope=who.key_id, key=idempotency_key) if idempotency_key else None
    accepted, decision = await execute_with_outcome(
        request, response, who, provision_contract, body, key, location="/api/v1/contracts"
    )
    if decision == "plan_change":
        response.status_code = 200
    return ProvisionAccepted(**accepted.model_dump(), decision=decision)


@router.get("/contracts/{contract_id}", response_model=ContractView)
async def get_contract(
    contract_id: UUID,
    request: Request,
    response: Response,
    consistency_token: int | None = TOKEN,
    who: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> ContractView:
    """The contract; a partner sees only the contracts it brought (404 for the others)."""
    row = await find_one(
        request, contract_summary, contract_id, consistency_token, "contract", response=response
    )
    require_visible(who, row, "contract", contract_id)
    return ContractView(**row)


@router.get("/contracts/{contract_id}/audit-trail", response_model=AuditTrail)
async def get_audit_trail(
    contract_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    limit: int = LIMIT,
    offset: int = OFFSET,
    who: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> AuditTrail:
    await await_token(request, contract_audit_trail.NAME, contract_id, consistency_token)
    async with request.app.state.runtime.pool.acquire() as conn:
        rows = await contract_audit_trail.entries(conn, contract_id, limit, offset)
        if partner(who) is not None or (not rows and offset == 0):
            summary = await contract_summary.find(conn, contract_id)
            if summary is None:
                raise ApiError(
                    404, "contract_not_found", f"contract {contract_id} not found", {"id": str(contract_id)}
                )
            require_visible(who, summary, "contract", contract_id)
    return AuditTrail(
        contract_id=contract_id, items=[AuditEntry(**r) for r in rows], page=Page(limit=limit, offset=offset)
    )


WRITERS = ("operator", "integrator")
Service = Literal["mobile", "internet", "landline"]


class PlanChangeAccepted(Accepted):
    change: Literal["upgrade", "downgrade", "lateral"]


@router.post("/contracts/{contract_id}/activation", response_model=Accepted)
async def activate(
    contract_id: UUID,
    body: ActivateContract,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    if_match: str | None = IF_MATCH,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    """draft -> active. Provisioning activates on the start date, so this answers 409 for any provisioned contract."""
    return await execute(
        request,
        response,
        who,
        activate_contract,
        contract_id,
        body,
        once=idempotency_key,
        if_match=(contract_id, if_match),
    )


@router.post("/contracts/{contract_id}/suspension", response_model=Accepted)
async def suspend(
    contract_id: UUID,
    body: SuspendContract,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    if_match: str | None = IF_MATCH,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    return await execute(
        request,
        response,
        who,
        suspend_contract,
        contract_id,
        body,
        once=idempotency_key,
        if_match=(contract_id, if_match),
    )


@router.post("/contracts/{contract_id}/resumption", response_model=Accepted)
async def resume(
    contract_id: UUID,
    body: ResumeContract,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    if_match: str | None = IF_MATCH,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    return await execute(
        request,
        response,
        who,
        resume_contract,
        contract_id,
        body,
        once=idempotency_key,
        if_match=(contract_id, if_match),
    )


@router.post("/contracts/{contract_id}/termination", response_model=Accepted)
async def terminate(
    contract_id: UUID,
    body: TerminateContract,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    if_match: str | None = IF_MATCH,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    return await execute(
        request,
        response,
        who,
        terminate_contract,
        contract_id,
        body,
        once=idempotency_key,
        if_match=(contract_id, if_match),
    )


@router.post("/contracts/{contract_id}/plan-changes", response_model=PlanChangeAccepted)
async def post_plan_change(
    contract_id: UUID,
    body: ChangePlan,
    request: Request,
    response: Response,
    if_match: str | None = IF_MATCH,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow(*WRITERS)),
) -> PlanChangeAccepted:
    """A new plan from an effective date (upgrade, downgrade or lateral, by the provisioning rules)."""
    key = IdempotencyKey(scope=who.key_id, key=idempotency_key) if idempotency_key else None
    accepted, change = await execute_with_outcome(
        request, response, who, change_plan, contract_id, body, key, if_match=(contract_id, if_match)
    )
    return PlanChangeAccepted(**accepted.model_dump(), change=change)


@router.get("/contracts", response_model=Paged[ContractView])
async def list_contracts(
    request: Request,
    client: UUID | None = None,
    service: Service | None = None,
    status: Literal["draft", "active", "suspended", "terminated"] | None = None,
    offer: UUID | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    who: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> Paged[ContractView]:
    """Contracts, filtered; a partner sees the contracts it brought."""
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await contract_summary.search(
            conn,
            client_id=client,
            service=service,
            status=status,
            offer_id=offer,
            brought_by=partner(who),
            limit=limit,
            offset=offset,
        )
    return Paged[ContractView](
        items=[ContractView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


class DocumentView(BaseModel):
    document_id: UUID
    reason: Literal["provisioning", "plan_change"]
    sha256: str
    size: int
    issued_at: datetime
    download: str


@router.get("/contracts/{contract_id}/documents", response_model=list[DocumentView])
async def list_documents(
    contract_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    who: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> list[DocumentView]:
    row = await find_one(request, contract_summary, contract_id, consistency_token, "contract")
    require_visible(who, row, "contract", contract_id)
    return [
        DocumentView(**d, download=f"/api/v1/contracts/{contract_id}/documents/{d['document_id']}")
        for d in row["documents"]
    ]


@router.get("/contracts/{contract_id}/documents/{document_id}", response_class=Response, responses=PDF)
async def download_document(
    contract_id: UUID,
    document_id: UUID,
    request: Request,
    who: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> Response:
    """The PDF, only once its issuance is recorded on the contract (an unannounced blob is never served)."""
    async with request.app.state.runtime.pool.acquire() as conn:
        row = await contract_summary.find(conn, contract_id)
        if row is not None:
            require_visible(who, row, "contract", contract_id)
        issued = {d["document_id"] for d in row["documents"]} if row else set()
        pdf = (
            await documents.pdf_bytes(conn, contract_id, document_id) if str(document_id) in issued else None
        )
    if pdf is None:
        raise ApiError(
            404, "document_not_found", f"document {document_id} not found", {"id": str(document_id)}
        )
    headers = {"Content-Disposition": f'attachment; filename="contract-{contract_id}-{document_id}.pdf"'}
    return Response(content=pdf, media_type="application/pdf", headers=headers)
