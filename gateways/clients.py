"""Client endpoints. Lists mask personal data; a single client's record is shown in full to the operator role
only (the self-service site shows visitors their own)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from commands.client_erasure import delete_client
from commands.clients import (
    ChangeClientStatus,
    RegisterClient,
    UpdateClientDetails,
    change_client_status,
    register_client,
    update_client_details,
)
from domain.errors import RuleViolation
from domain.identity import mask, mask_address, mask_email, normalize_cin
from gateways.auth import PARTNER_READ_ROLES, Principal, allow, partner, require_visible
from gateways.commanding import IF_MATCH, Accepted, execute
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, find_one
from projections import client_directory

router = APIRouter(prefix="/api/v1", tags=["clients"])
WRITERS = ("operator", "integrator")
Status = Literal["active", "suspended", "closed"]


class ClientView(BaseModel):
    client_id: UUID
    cin: str
    full_name: str
    email: str
    address: str
    phone: str | None
    language: Literal["fr", "ar"] = Field(
        default="fr", description="The language of the documents' customer-facing labels."
    )
    ice: str | None = Field(default=None, description="A business customer's ICE.")
    brought_by: str | None = Field(
        default=None, description="The partner (partner:<name>) that registered the client; null: the staff."
    )
    status: Status
    status_reason_code: Literal["customer_request", "non_payment", "fraud", "deceased", "other"] | None = (
        Field(default=None, description="Why the status last changed; null: never changed.")
    )
    delinquent: bool = False
    contract_count: int
    registered_at: datetime
    updated_at: datetime


UNMASKED_ROLES = (
    "operator",
)  # who runs the business; admin, integrator and auditor see personal data masked


def masked(row: dict) -> ClientView:
    return ClientView(
        **{
            **row,
            "cin": mask(row["cin"]),
            "email": mask_email(row["email"]),
            "address": mask_address(row["address"]),
            "phone": mask(row["phone"], 4, 2) if row["phone"] else None,
        }
    )


@router.post("/clients", status_code=201, response_model=Accepted)
async def post_client(
    body: RegisterClient, request: Request, response: Response, who: Principal = Depends(allow(*WRITERS))
) -> Accepted:
    return await execute(request, response, who, register_client, body, location="/api/v1/clients")


@router.put("/clients/{client_id}", response_model=Accepted)
async def put_client(
    client_id: UUID,
    body: UpdateClientDetails,
    request: Request,
    response: Response,
    if_match: str | None = IF_MATCH,
    who: Principal = Depends(allow(*WRITERS)),
) -> Accepted:
    return await execute(
        request, response, who, update_client_details, client_id, body, if_match=(client_id, if_match)
    )


@router.post("/clients/{client_id}/status", response_model=Accepted)
async def post_status(
    client_id: UUID,
    body: ChangeClientStatus,
    request: Request,
    response: Response,
    if_match: str | None = IF_MATCH,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    return await execute(
        request, response, who, change_client_status, client_id, body, if_match=(client_id, if_match)
    )


@router.delete("/clients/{client_id}", response_model=Accepted)
async def delete(
    client_id: UUID, request: Request, response: Response, who: Principal = Depends(allow("operator"))
) -> Accepted:
    """Erases the client's personal data: its data key is destroyed, so every stored copy reads `[erased]`;
    its invoices and payments stay whole. A client without history at once; one with contracts or payments
    once `closed`, every contract terminated and `MTF_RETENTION_DAYS` past its last activity (409
    `client_not_closed`, `contracts_not_terminated` or `retention_not_over` with `erasable_from`)."""
    retention_days = request.app.state.runtime.settings.retention_days
    return await execute(request, response, who, delete_client, client_id, retention_days)


@router.get("/clients", response_model=Paged[ClientView])
async def list_clients(
    request: Request,
    status: Status | None = None,
    cin: str | None = Query(default=None, max_length=20),
    name: str | None = Query(default=None, min_length=1, max_length=100),
    limit: int = LIMIT,
    offset: int = OFFSET,
    who: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> Paged[ClientView]:
    """The client directory, personal data masked; a partner sees the clients it brought."""
    try:
        normalised = normalize_cin(cin) if cin is not None else None
    except RuleViolation:
        normalised = "-"  # a malformed CIN matches nobody
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await client_directory.search(
            conn,
            status=status,
            cin=normalised,
            name=name,
            brought_by=partner(who),
            limit=limit,
            offset=offset,
        )
    return Paged[ClientView](
        items=[masked(r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/clients/{client_id}", response_model=ClientView)
async def get_client(
    client_id: UUID,
    request: Request,
    response: Response,
    consistency_token: int | None = TOKEN,
    who: Principal = Depends(allow(*PARTNER_READ_ROLES)),
) -> ClientView:
    """The client's record: in full for the operator role; CIN, email, address and phone masked for the others.
    A partner sees only the clients it brought (404 for the others)."""
    row = await find_one(request, client_directory, client_id, consistency_token, "client", response=response)
    require_visible(who, row, "client", client_id)
    return ClientView(**row) if who.role in UNMASKED_ROLES else masked(row)
