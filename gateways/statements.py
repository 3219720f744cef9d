"""A client's monthly statement, as a PDF: for the operator, and for the client in their self-service space."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, Response

from domain.identity import mask
from domain.period import Period
from gateways.auth import READ_ROLES, Principal, allow
from gateways.errors import ApiError
from gateways.landing import visitor
from gateways.openapi import PDF
from gateways.queries import not_found
from infra.pdf.invoice import Customer
from infra.pdf.statement import StatementEntry, StatementSheet, render_statement
from projections import client_directory, client_statement

router = APIRouter(prefix="/api/v1", tags=["invoices"])
MONTH = Path(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="The month, YYYY-MM.")


@router.get("/clients/{client_id}/statements/{month}", response_class=Response, responses=PDF)
async def client_statement_pdf(
    client_id: UUID, request: Request, month: str = MONTH, _: Principal = Depends(allow(*READ_ROLES))
) -> Response:
    """Invoices, credit notes and payments of the month, with the balance before and after: what the client owes."""
    return await statement_response(request, client_id, month)


@router.get("/landing/me/statements/{month}", response_class=Response, responses=PDF, tags=["self-service"])
async def my_statement_pdf(
    request: Request, month: str = MONTH, client_id: UUID = Depends(visitor)
) -> Response:
    return await statement_response(request, client_id, month)


async def statement_response(request: Request, client_id: UUID, month: str) -> Response:
    runtime = request.app.state.runtime
    period = Period.parse(month)
    if period.first_day > runtime.clock.today():
        raise ApiError(
            422, "statement_month_not_started", "this month has not started yet", {"field": "month"}
        )
    async with runtime.pool.acquire() as conn:
        client = await client_directory.find(conn, client_id)
        if client is None:
            raise not_found("client", client_id)
        opening, rows = await client_statement.month(conn, client_id, period.first_day, period.end)
    customer = Customer(
        client["full_name"],
        client["address"],
        mask(client["cin"]),
        client.get("ice"),
        client.get("language") or "fr",
    )
    entries = [StatementEntry(r["on"], r["kind"], r["reference"], r["debit"], r["credit"]) for r in rows]
    sheet = StatementSheet(month, min(runtime.clock.today(), _last_day(period)), customer, opening, entries)
    pdf = await runtime.run_command(lambda: render_statement(runtime.operator, sheet))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="releve-{month}.pdf"'},
    )


def _last_day(period: Period) -> date:
    return date.fromordinal(period.end.toordinal() - 1)
