"""A subscriber's contract PDF, for the self-service confirmation page and the visitor's space.

A newcomer has no visitor token when their subscription is accepted: the answer carries a document
token scoped to that one contract (it opens nothing else). A verified visitor's own token opens the
PDFs of their own contracts. Any other contract is a 404, as if it did not exist.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from gateways.errors import ApiError
from gateways.landing import signing_key, verification_required, visitor_token, visitor_token_invalid
from gateways.openapi import PDF
from infra.storage import documents, visitor_access
from projections import contract_summary

router = APIRouter(prefix="/api/v1/landing", tags=["self-service"])


@router.get("/contracts/{contract_id}/document", response_class=Response, responses=PDF)
async def my_contract_document(
    contract_id: UUID,
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(visitor_token),
) -> Response:
    """The contract's latest PDF, with the document token the subscription answered, or the owner's visitor token."""
    if credentials is None:
        raise verification_required()
    runtime = request.app.state.runtime
    key, now = await signing_key(request), runtime.clock.now()
    scoped_contract = visitor_access.contract_of(key, credentials.credentials, now)
    visitor = visitor_access.client_of(key, credentials.credentials, now)
    if scoped_contract is None and visitor is None:
        raise visitor_token_invalid()
    async with runtime.pool.acquire() as conn:
        if scoped_contract != contract_id and not await _owns(conn, visitor, contract_id):
            raise _no_such_document(contract_id)
        pdf = await documents.latest_pdf(conn, contract_id)
    if pdf is None:
        raise _no_such_document(contract_id)
    headers = {
        "Content-Disposition": f'inline; filename="contrat-{contract_id}.pdf"',
        "Cache-Control": "no-store",
    }
    return Response(pdf, media_type="application/pdf", headers=headers)


async def _owns(conn, client_id: UUID | None, contract_id: UUID) -> bool:
    if client_id is None:
        return False
    row = await contract_summary.find(conn, contract_id)
    return row is not None and row["client_id"] == client_id


def _no_such_document(contract_id: UUID) -> ApiError:
    return ApiError(404, "contract_not_found", f"contract {contract_id} not found", {"id": str(contract_id)})
