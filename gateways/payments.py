"""Payment endpoints: record, reverse, mark an invoice paid, and the client's balance."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from commands.payment_batches import RecordPaymentBatch, record_payment_batch
from commands.payments import (
    Method,
    RecordPayment,
    ReversePayment,
    mark_invoice_paid,
    record_payment,
    reverse_payment,
)
from domain.payments import Payment
from gateways.auth import READ_ROLES, Principal, allow
from gateways.commanding import IDEMPOTENCY_KEY, Accepted, execute, execute_with_outcome, run_command
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, find_one, not_found
from projections import client_credit, client_directory, invoice_register, payment_register

router = APIRouter(prefix="/api/v1", tags=["payments"])


class PaymentAccepted(Accepted):
    created: bool


class PaymentView(BaseModel):
    payment_id: UUID
    client_id: UUID
    amount: Decimal
    method: str
    reference: str
    received_on: date
    invoice_id: UUID | None
    allocations: list[dict[str, Any]]
    credited: Decimal
    status: Literal["received", "reversed"]
    reversed_on: date | None
    reversal_reason: str | None
    recorded_at: datetime


class Balance(BaseModel):
    client_id: UUID
    as_of: date
    open: Decimal
    overdue: Decimal
    overdue_invoices: int
    credit: Decimal


async def _recorded(
    request: Request, response: Response, who: Principal, handler, *args, once: str | None = None
) -> PaymentAccepted:
    accepted, created = await execute_with_outcome(
        request, response, who, handler, *args, location="/api/v1/payments", once=once, answer=Payment
    )
    if not created:
        response.status_code = 200
    return PaymentAccepted(**accepted.model_dump(), created=created)


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentAccepted,
    responses={
        200: {
            "model": PaymentAccepted,
            "description": "The same method and reference were recorded before: the first result, nothing appended.",
        }
    },
)
async def post_payment(
    body: RecordPayment,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow("operator")),
) -> PaymentAccepted:
    """Settles the named invoice, else the oldest due first; any excess becomes client credit.

    The same method and reference again is the same payment: 200 with the first result, nothing appended.
    An `Idempotency-Key` sent again with the same body answers the same way; with another body, 409
    `idempotency_key_reused`."""
    return await _recorded(request, response, who, record_payment, body, once=idempotency_key)


class BatchPayment(BaseModel):
    id: UUID
    created: bool


class BatchAccepted(BaseModel):
    position: int
    payments: list[BatchPayment]


@router.post(
    "/payment-batches",
    status_code=201,
    response_model=BatchAccepted,
    responses={
        200: {
            "model": BatchAccepted,
            "description": "Every payment of the statement was recorded before: the first results, nothing appended.",
        }
    },
)
async def post_payment_batch(
    body: RecordPaymentBatch,
    request: Request,
    response: Response,
    who: Principal = Depends(allow("operator")),
) -> BatchAccepted:
    """Records a bank statement's payments (up to 500) in order, in one append: all of them, or none.

    Any refused payment refuses the batch (`422 payment_batch_refused`, each one listed under `refused`).
    A payment recorded before is answered with its first result (`created: false`); 200 if none is new.
    """
    recorded = await run_command(request, who, record_payment_batch, body)
    response.headers["X-Consistency-Token"] = str(recorded.position)
    if not any(item.created for item in recorded.items):
        response.status_code = 200
    return BatchAccepted(
        position=recorded.position,
        payments=[BatchPayment(id=i.payment_id, created=i.created) for i in recorded.items],
    )


@router.post(
    "/invoices/{invoice_id}/mark-paid",
    status_code=201,
    response_model=PaymentAccepted,
    responses={
        200: {
            "model": PaymentAccepted,
            "description": "The same payment was recorded before: the first result, nothing appended.",
        }
    },
)
async def post_mark_paid(
    invoice_id: UUID, request: Request, response: Response, who: Principal = Depends(allow("operator"))
) -> PaymentAccepted:
    """Records a `manual` payment of the invoice's open balance."""
    return await _recorded(request, response, who, mark_invoice_paid, invoice_id)


@router.post("/payments/{payment_id}/reversal", response_model=Accepted)
async def post_reversal(
    payment_id: UUID,
    body: ReversePayment,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    """Undoes the payment's allocations (the invoices reopen) and takes back the credit it created."""
    return await execute(request, response, who, reverse_payment, payment_id, body, once=idempotency_key)


@router.get("/payments", response_model=Paged[PaymentView])
async def list_payments(
    request: Request,
    client: UUID | None = None,
    method: Method | None = None,
    status: Literal["received", "reversed"] | None = None,
    invoice: UUID | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> Paged[PaymentView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await payment_register.search(
            conn,
            client_id=client,
            method=method,
            status=status,
            invoice_id=invoice,
            received_from=received_from,
            received_to=received_to,
            limit=limit,
            offset=offset,
        )
    return Paged[PaymentView](
        items=[PaymentView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/payments/{payment_id}", response_model=PaymentView)
async def get_payment(
    payment_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> PaymentView:
    row = await find_one(request, payment_register, payment_id, consistency_token, "payment")
    return PaymentView(**row)


@router.get("/clients/{client_id}/balance", response_model=Balance)
async def get_balance(
    client_id: UUID, request: Request, _: Principal = Depends(allow(*READ_ROLES))
) -> Balance:
    """Open and overdue (past the due date, as of today) amounts of the client's invoices, and its credit."""
    runtime = request.app.state.runtime
    today = runtime.clock.today()
    async with runtime.pool.acquire() as conn:
        if await client_directory.find(conn, client_id) is None:
            raise not_found("client", client_id)
        open_amount, overdue, overdue_invoices = await invoice_register.client_balance(conn, client_id, today)
        credit = await client_credit.credit_of(conn, client_id)
    return Balance(
        client_id=client_id,
        as_of=today,
        open=open_amount,
        overdue=overdue,
        overdue_invoices=overdue_invoices,
        credit=credit,
    )
