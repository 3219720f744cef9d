"""Public verification of an issued document: the endpoint its QR code points to."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from infra.storage import documents

router = APIRouter(prefix="/api/v1", tags=["invoices"])


class Verification(BaseModel):
    number: str
    issued: bool = Field(
        description="Whether a document with this number was issued with this SHA-256, and nothing else."
    )
    issue_date: date | None = Field(description="When it was issued; null when it was not.")


@router.get("/documents/verify", response_model=Verification)
async def verify_document(
    request: Request,
    number: str = Query(
        pattern=r"^(FAC|AV)-[0-9]{4}-[0-9]{6}$", description="The invoice (FAC-) or credit note (AV-) number."
    ),
    sha256: str = Query(
        pattern=r"^[0-9a-f]{64}$",
        description="The fingerprint printed under the QR code, or the PDF file's SHA-256.",
    ),
) -> Verification:
    """Public: answers only whether an invoice or a credit note with this number was issued as is, and when."""
    async with request.app.state.runtime.pool.acquire() as conn:
        issued_on = await documents.issued_as(conn, number, sha256)
    return Verification(number=number, issued=issued_on is not None, issue_date=issued_on)
