"""The document store: rendered PDFs and their metadata, in their own schema.

A contract document is written in the same statement as the events that announce it
(`EventStore.save_as(..., alongside=...)`): both commit or neither, so no event points at a
missing document and a refused append leaves no row behind. Invoice documents are written
before the events that announce them: an append that then fails leaves an unreferenced row,
never a dangling event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import psycopg

SCHEMA = "documents"
TABLE = f"{SCHEMA}.contract_documents"
INVOICE_TABLE = f"{SCHEMA}.invoice_documents"
CREDIT_NOTE_TABLE = f"{SCHEMA}.credit_note_documents"


@dataclass(frozen=True)
class StoredDocument:
    document_id: UUID
    sha256: str
    size: int

    @classmethod
    def of(cls, document_id: UUID, pdf: bytes) -> StoredDocument:
        return cls(document_id, hashlib.sha256(pdf).hexdigest(), len(pdf))


@dataclass(frozen=True)
class Issued:
    """What verification looks a numbered document up by: its number, issue date and the fingerprint its QR
    code carries."""

    number: str
    issue_date: date
    fingerprint: str


_INSERT_CONTRACT_DOCUMENT = (
    f"INSERT INTO {TABLE} (document_id, contract_id, reason, sha256, size, created_at, pdf) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (document_id) DO NOTHING"
)


def contract_document(
    document_id: UUID, contract_id: UUID, reason: str, pdf: bytes, created_at: datetime
) -> tuple[StoredDocument, tuple[str, tuple[Any, ...]]]:
    """The document's metadata, and the row to write with the events that announce it."""
    stored = StoredDocument.of(document_id, pdf)
    return stored, (
        _INSERT_CONTRACT_DOCUMENT,
        (document_id, contract_id, reason, stored.sha256, stored.size, created_at, pdf),
    )


def store_invoice_pdfs(
    store, rendered: list[tuple[UUID, UUID, bytes, Issued]], created_at: datetime
) -> list[StoredDocument]:
    """Writes a block of (document_id, invoice_id, pdf, issued) in one statement; a retried block rewrites nothing."""
    stored = [StoredDocument.of(document_id, pdf) for document_id, _, pdf, _ in rendered]
    store.save_rows(
        f"INSERT INTO {INVOICE_TABLE} (document_id, invoice_id, sha256, size, created_at, pdf, number, "
        "issue_date, fingerprint) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (document_id) DO NOTHING",
        [
            (
                doc.document_id,
                invoice_id,
                doc.sha256,
                doc.size,
                created_at,
                pdf,
                issued.number,
                issued.issue_date,
                issued.fingerprint,
            )
            for doc, (_, invoice_id, pdf, issued) in zip(stored, rendered)
        ],
    )
    return stored


_INSERT_CREDIT_NOTE_DOCUMENT = (
    f"INSERT INTO {CREDIT_NOTE_TABLE} (document_id, credit_note_id, number, issue_date, fingerprint, sha256, "
    "size, created_at, pdf) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (document_id) DO NOTHING"
)


def credit_note_document(
    document_id: UUID, credit_note_id: UUID, issued: Issued, pdf: bytes, created_at: datetime
) -> tuple[StoredDocument, tuple[str, tuple[Any, ...]]]:
    """The credit note PDF's metadata, and the row to write with the events that issue and announce it."""
    stored = StoredDocument.of(document_id, pdf)
    row = (
        document_id,
        credit_note_id,
        issued.number,
        issued.issue_date,
        issued.fingerprint,
        stored.sha256,
        stored.size,
        created_at,
        pdf,
    )
    return stored, (_INSERT_CREDIT_NOTE_DOCUMENT, row)


async def credit_note_pdf(conn: asyncpg.Connection, credit_note_id: UUID) -> tuple[str, bytes, str] | None:
    """The credit note's number, PDF and the PDF's SHA-256."""
    row = await conn.fetchrow(
        f"SELECT number, pdf, sha256 FROM {CREDIT_NOTE_TABLE} WHERE credit_note_id = $1", credit_note_id
    )
    return (row["number"], row["pdf"], row["sha256"]) if row else None


async def issued_as(conn: asyncpg.Connection, number: str, sha256: str) -> date | None:
    """The issue date of the invoice or credit note with this number whose file or fingerprint has this
    SHA-256; else None."""
    table = CREDIT_NOTE_TABLE if number.startswith("AV-") else INVOICE_TABLE
    return await conn.fetchval(
        f"SELECT issue_date FROM {table} WHERE number = $1 AND (fingerprint = $2 OR sha256 = $2) LIMIT 1",
        number,
        sha256,
    )


async def invoice_pdf(conn: asyncpg.Connection, invoice_id: UUID, document_id: UUID) -> bytes | None:
    return await conn.fetchval(
        f"SELECT pdf FROM {INVOICE_TABLE} WHERE invoice_id = $1 AND document_id = $2", invoice_id, document_id
    )


async def metadata(
    conn: asyncpg.Connection, contract_id: UUID, referenced: set[UUID]
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT document_id, reason, sha256, size, created_at FROM {TABLE} WHERE contract_id = $1 ORDER BY created_at",
        contract_id,
    )
    return [dict(r) for r in rows if r["document_id"] in referenced]


async def latest_pdf(conn: asyncpg.Connection, contract_id: UUID) -> bytes | None:
    """The contract's newest document: written in the statement that recorded its event, so it is issued."""
    return await conn.fetchval(
        f"SELECT pdf FROM {TABLE} WHERE contract_id = $1 ORDER BY created_at DESC LIMIT 1", contract_id
    )


async def pdf_bytes(conn: asyncpg.Connection, contract_id: UUID, document_id: UUID) -> bytes | None:
    return await conn.fetchval(
        f"SELECT pdf FROM {TABLE} WHERE contract_id = $1 AND document_id = $2", contract_id, document_id
    )


def forget(
    conn: psycopg.Connection,
    *,
    contract_ids: list[UUID],
    invoice_ids: list[UUID],
    credit_note_ids: list[UUID],
) -> None:
    """Drops the PDFs of an erased client's documents (they print its name and address). The rows stay: the
    number, date and fingerprint still verify a printed copy, and a download answers that it was erased."""
    for table, column, ids in (
        (TABLE, "contract_id", contract_ids),
        (INVOICE_TABLE, "invoice_id", invoice_ids),
        (CREDIT_NOTE_TABLE, "credit_note_id", credit_note_ids),
    ):
        if ids:
            conn.execute(
                f"UPDATE {table} SET pdf = NULL WHERE {column} = ANY(%s) AND pdf IS NOT NULL", (ids,)
            )
