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
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

SCHEMA = "documents"
TABLE = f"{SCHEMA}.contract_documents"
INVOICE_TABLE = f"{SCHEMA}.invoice_documents"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {TABLE} (
    document_id uuid PRIMARY KEY,
    contract_id uuid NOT NULL,
    reason      text NOT NULL,
    sha256      text NOT NULL,
    size        int NOT NULL,
    created_at  timestamptz NOT NULL,
    pdf         bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS contract_documents_contract ON {TABLE} (contract_id);
CREATE TABLE IF NOT EXISTS {INVOICE_TABLE} (
    document_id uuid PRIMARY KEY,
    invoice_id  uuid NOT NULL,
    sha256      text NOT NULL,
    size        int NOT NULL,
    created_at  timestamptz NOT NULL,
    pdf         bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_documents_invoice ON {INVOICE_TABLE} (invoice_id);
"""


@dataclass(frozen=True)
class StoredDocument:
    document_id: UUID
    sha256: str
    size: int


_INSERT_CONTRACT_DOCUMENT = (
    f"INSERT INTO {TABLE} (document_id, contract_id, reason, sha256, size, created_at, pdf) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (document_id) DO NOTHING"
)


def contract_document(
    document_id: UUID, contract_id: UUID, reason: str, pdf: bytes, created_at: datetime
) -> tuple[StoredDocument, tuple[str, tuple[Any, ...]]]:
    """The document's metadata, and the row to write with the events that announce it."""
    stored = StoredDocument(document_id, hashlib.sha256(pdf).hexdigest(), len(pdf))
    return stored, (_INSERT_CONTRACT_DOCUMENT, (document_id, contract_id, reason, stored.sha256, stored.size, created_at, pdf))


def store_invoice_pdfs(store, rendered: list[tuple[UUID, UUID, bytes]], created_at: datetime) -> list[StoredDocument]:
    """Writes a block of (document_id, invoice_id, pdf) in one statement; a retried block rewrites nothing."""
    stored = [StoredDocument(document_id, hashlib.sha256(pdf).hexdigest(), len(pdf)) for document_id, _, pdf in rendered]
    with store.recorder.datastore.get_connection() as conn:
        with conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {INVOICE_TABLE} (document_id, invoice_id, sha256, size, created_at, pdf) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (document_id) DO NOTHING",
                [(doc.document_id, invoice_id, doc.sha256, doc.size, created_at, pdf) for doc, (_, invoice_id, pdf) in zip(stored, rendered)],
            )
        conn.commit()
    return stored


async def invoice_pdf(conn: asyncpg.Connection, invoice_id: UUID, document_id: UUID) -> bytes | None:
    return await conn.fetchval(f"SELECT pdf FROM {INVOICE_TABLE} WHERE invoice_id = $1 AND document_id = $2", invoice_id, document_id)


async def metadata(conn: asyncpg.Connection, contract_id: UUID, referenced: set[UUID]) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT document_id, reason, sha256, size, created_at FROM {TABLE} WHERE contract_id = $1 ORDER BY created_at",
        contract_id,
    )
    return [dict(r) for r in rows if r["document_id"] in referenced]


async def latest_pdf(conn: asyncpg.Connection, contract_id: UUID) -> bytes | None:
    """The contract's newest document: written in the statement that recorded its event, so it is issued."""
    return await conn.fetchval(f"SELECT pdf FROM {TABLE} WHERE contract_id = $1 ORDER BY created_at DESC LIMIT 1", contract_id)


async def pdf_bytes(conn: asyncpg.Connection, contract_id: UUID, document_id: UUID) -> bytes | None:
    return await conn.fetchval(f"SELECT pdf FROM {TABLE} WHERE contract_id = $1 AND document_id = $2", contract_id, document_id)
