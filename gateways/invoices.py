"""Invoice and credit-note endpoints: queries, PDF download, and credit notes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from commands.credit_notes import IssueCreditNote, issue_credit_note
from domain.period import PERIOD_REGEX
from gateways.auth import READ_ROLES, Principal, allow
from gateways.commanding import IDEMPOTENCY_KEY, Accepted, execute
from gateways.errors import ApiError
from gateways.openapi import PDF
from gateways.queries import LIMIT, OFFSET, TOKEN, Page, Paged, find_one, not_found
from infra.storage import documents
from projections import credit_note_register, invoice_register

router = APIRouter(prefix="/api/v1", tags=["invoices"])
Service = Literal["mobile", "internet", "landline"]
InvoiceStatus = Literal["issued", "partially_paid", "paid", "partially_credited", "credited"]
PERIOD = Query(default=None, pattern=PERIOD_REGEX)


class InvoiceView(BaseModel):
    invoice_id: UUID
    number: str
    client_id: UUID
    period: str
    run_id: UUID
    issue_date: date
    due_date: date
    vat_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    credited: Decimal
    paid: Decimal
    open_balance: Decimal
    status: InvoiceStatus
    services: list[str]
    lines: list[dict[str, Any]]
    credit_notes: list[dict[str, Any]]
    settlements: list[dict[str, Any]]
    document: dict[str, Any] | None
    issued_at: datetime


class CreditNoteView(BaseModel):
    credit_note_id: UUID
    number: str
    invoice_id: UUID
    invoice_number: str
    client_id: UUID
    reason: str
    issue_date: date
    net: Decimal
    tax: Decimal
    gross: Decimal
    lines: list[dict[str, Any]]
    issued_at: datetime


def invoice_view(row: dict[str, Any]) -> InvoiceView:
    return InvoiceView(**{k: v for k, v in row.items() if k in InvoiceView.model_fields})


@router.get("/invoices", response_model=Paged[InvoiceView])
async def list_invoices(
    request: Request,
    client: UUID | None = None,
    service: Service | None = None,
    offer: UUID | None = None,
    status: InvoiceStatus | None = None,
    period: str | None = PERIOD,
    run: UUID | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> Paged[InvoiceView]:
    """Invoices in number order, filtered by client, service, offer, status, period, run and issue-date range."""
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await invoice_register.search(
            conn,
            client_id=client,
            service=service,
            offer_id=offer,
            status=status,
            period=period,
            run_id=run,
            issued_from=issued_from,
            issued_to=issued_to,
            limit=limit,
            offset=offset,
        )
    return Paged[InvoiceView](
        items=[invoice_view(r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/invoices/{invoice_id}", response_model=InvoiceView)
async def get_invoice(
    invoice_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> InvoiceView:
    row = await find_one(request, invoice_register, invoice_id, consistency_token, "invoice")
    return invoice_view(row)


@router.get("/invoices/{invoice_id}/pdf", response_class=Response, responses=PDF)
async def get_invoice_pdf(
    invoice_id: UUID, request: Request, _: Principal = Depends(allow(*READ_ROLES))
) -> Response:
    return await invoice_pdf_response(request, invoice_id)


async def invoice_pdf_response(request: Request, invoice_id: UUID, client_id: UUID | None = None) -> Response:
    """The invoice's PDF; with `client_id`, only if the invoice is that client's (anyone else's is a 404)."""
    async with request.app.state.runtime.pool.acquire() as conn:
        row = await invoice_register.find(conn, invoice_id)
        if row is None or (client_id is not None and row["client_id"] != client_id):
            raise not_found("invoice", invoice_id)
        if row["document"] is None:
            raise ApiError(
                404,
                "invoice_document_not_ready",
                "the invoice's PDF has not been rendered yet",
                {"id": str(invoice_id)},
                headers={"Retry-After": "2"},
            )
        pdf = await documents.invoice_pdf(conn, invoice_id, UUID(row["document"]["document_id"]))
    if pdf is None:
        raise not_found("invoice_document", invoice_id)
    headers = {
        "Content-Disposition": f'inline; filename="{row["number"]}.pdf"',
        "ETag": f'"{row["document"]["sha256"]}"',
    }
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post("/invoices/{invoice_id}/credit-notes", status_code=201, response_model=Accepted)
async def post_credit_note(
    invoice_id: UUID,
    body: IssueCreditNote,
    request: Request,
    response: Response,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
    who: Principal = Depends(allow("operator")),
) -> Accepted:
    """A credit note for the whole remaining invoice (no `lines`), or for named lines, fully or by a net amount."""
    return await execute(
        request,
        response,
        who,
        issue_credit_note,
        invoice_id,
        body,
        location="/api/v1/credit-notes",
        once=idempotency_key,
    )


@router.get("/credit-notes", response_model=Paged[CreditNoteView])
async def list_credit_notes(
    request: Request,
    invoice: UUID | None = None,
    client: UUID | None = None,
    limit: int = LIMIT,
    offset: int = OFFSET,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> Paged[CreditNoteView]:
    async with request.app.state.runtime.pool.acquire() as conn:
        rows, total = await credit_note_register.search(
            conn, invoice_id=invoice, client_id=client, limit=limit, offset=offset
        )
    return Paged[CreditNoteView](
        items=[CreditNoteView(**r) for r in rows], page=Page(limit=limit, offset=offset, total=total)
    )


@router.get("/credit-notes/{credit_note_id}", response_model=CreditNoteView)
async def get_credit_note(
    credit_note_id: UUID,
    request: Request,
    consistency_token: int | None = TOKEN,
    _: Principal = Depends(allow(*READ_ROLES)),
) -> CreditNoteView:
    row = await find_one(request, credit_note_register, credit_note_id, consistency_token, "credit_note")
    return CreditNoteView(**row)


@router.get("/credit-notes/{credit_note_id}/pdf", response_class=Response, responses=PDF)
async def get_credit_note_pdf(
    credit_note_id: UUID, request: Request, _: Principal = Depends(allow(*READ_ROLES))
) -> Response:
    return await credit_note_pdf_response(request, credit_note_id)


async def credit_note_pdf_response(
    request: Request, credit_note_id: UUID, client_id: UUID | None = None
) -> Response:
    """The credit note's PDF (stored in the append that issued it); with `client_id`, only if the note is
    that client's."""
    async with request.app.state.runtime.pool.acquire() as conn:
        if client_id is not None:
            row = await credit_note_register.find(conn, credit_note_id)
            if row is None or row["client_id"] != client_id:
                raise not_found("credit_note", credit_note_id)
        document = await documents.credit_note_pdf(conn, credit_note_id)
    if document is None or document[1] is None:  # unknown, issued before credit notes had PDFs, or erased
        raise not_found("credit_note_document", credit_note_id)
    number, pdf, sha256 = document
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"', "ETag": f'"{sha256}"'},
    )
