"""Receivables as of one log position: every invoice with its dated settlements, grouped by client.

Like billing, collections reads the event log rather than the read models, so a sweep acts on
exactly what was recorded when it started, whatever the projections' lag.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from domain.collections import Receivable
from domain.invoice import SETTLING_EVENTS, Invoice, settlement_of
from infra.eventstore.port import EventStore

INVOICE = get_topic(Invoice) + "."
TOPICS = [INVOICE + name for name in ("InvoiceIssued", *SETTLING_EVENTS)]


def _value(raw: Any) -> Any:
    return raw["_data_"] if type(raw) is dict else raw


def _settlement(name: str, state: dict[str, Any]) -> tuple[date, Decimal]:
    """(day, amount it took off what is owed); reversals are negative."""
    settled = settlement_of(name, lambda key, default: _value(state.get(key, default)))
    return settled.on, settled.taken_off


def read_receivables(store: EventStore, position: int) -> dict[UUID, list[Receivable]]:
    invoices: dict[UUID, Receivable] = {}
    for invoice_id, topic, stored in store.scan(TOPICS, position):
        name, state = topic[len(INVOICE) :], orjson.loads(stored)
        if name == "InvoiceIssued":
            invoices[invoice_id] = Receivable(
                client_id=UUID(_value(state["client_id"])),
                issue_date=date.fromisoformat(_value(state["issue_date"])),
                due_date=date.fromisoformat(_value(state["due_date"])),
                gross=Decimal(_value(state["gross"])),
                settlements=[],
            )
        elif invoice_id in invoices:
            invoices[invoice_id].settlements.append(_settlement(name, state))
    by_client: dict[UUID, list[Receivable]] = {}
    for receivable in invoices.values():
        by_client.setdefault(receivable.client_id, []).append(receivable)
    return by_client
