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

from domain.collections import Receivable
from infra.eventstore.port import EventStore

INVOICE = "domain.invoice:Invoice."
TOPICS = [INVOICE + name for name in (
    "InvoiceIssued", "InvoiceCredited", "PaymentAllocated", "CreditApplied", "AllocationReversed", "CreditApplicationReversed",
)]


def _value(raw: Any) -> Any:
    return raw["_data_"] if type(raw) is dict else raw


def _settlement(name: str, state: dict[str, Any]) -> tuple[date, Decimal]:
    """(day, amount it took off what is owed); reversals are negative."""
    amount = Decimal(_value(state.get("amount", "0")))
    if name == "InvoiceCredited":
        return date.fromisoformat(_value(state["on"])), Decimal(_value(state["gross"])) - Decimal(_value(state["released_to_credit"]))
    if name == "PaymentAllocated":
        return date.fromisoformat(_value(state["received_on"])), amount
    if name == "AllocationReversed":
        return date.fromisoformat(_value(state["reversed_on"])), -amount
    if name == "CreditApplicationReversed":
        return date.fromisoformat(_value(state["on"])), -amount
    return date.fromisoformat(_value(state["on"])), amount  # CreditApplied


def read_receivables(store: EventStore, position: int) -> dict[UUID, list[Receivable]]:
    invoices: dict[UUID, Receivable] = {}
    for invoice_id, topic, stored in store.scan(TOPICS, position):
        name, state = topic[len(INVOICE):], orjson.loads(stored)
        if name == "InvoiceIssued":
            invoices[invoice_id] = Receivable(
                client_id=UUID(_value(state["client_id"])), issue_date=date.fromisoformat(_value(state["issue_date"])),
                due_date=date.fromisoformat(_value(state["due_date"])), gross=Decimal(_value(state["gross"])), settlements=[],
            )
        elif invoice_id in invoices:
            invoices[invoice_id].settlements.append(_settlement(name, state))
    by_client: dict[UUID, list[Receivable]] = {}
    for receivable in invoices.values():
        by_client.setdefault(receivable.client_id, []).append(receivable)
    return by_client
