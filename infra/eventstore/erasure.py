"""What erasing a client removes outside the log, and the destruction of its data key.

The log keeps every event: the client's personal fields in them are sealed with its data key
(personal_data.py), and destroying that key erases them everywhere at once. What lies outside the log
and names the person goes in the same transaction, before the key: self-service drafts (by CIN and
email), undelivered notifications to its email or phone, and the PDFs of its contracts, invoices and
credit notes (their rows stay, with the fingerprint a printed QR code is verified against).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from domain.client import Client
from domain.privacy import ERASED
from infra.eventstore.port import EventStore
from infra.storage import documents, landing_drafts, notifications


@dataclass(frozen=True)
class ClientRecords:
    client: Client
    contracts: list[Any]
    account: Any
    invoices: list[Any]


def forget_personal_data(store: EventStore, records: ClientRecords) -> None:
    client = records.client
    database_url = getattr(store, "database_url", None)
    if database_url:  # the in-memory store of the unit tests keeps nothing outside the log
        with psycopg.connect(database_url) as conn, conn.transaction():
            if client.cin != ERASED:  # a retried erasure whose key is already gone has nothing left to match
                landing_drafts.forget_person(conn, client.cin, client.email)
                notifications.forget_recipients(conn, [r for r in (client.email, client.phone) if r])
            documents.forget(
                conn,
                contract_ids=[c.id for c in records.contracts],
                invoice_ids=[i.id for i in records.invoices],
                credit_note_ids=[n for i in records.invoices for n in i.credit_notes],
            )
    store.data_keys.destroy(client.id)
