"""One rule says what an invoice event settles; the invoice aggregate's own arithmetic agrees with it."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from domain.invoice import SETTLING_EVENTS, Invoice, Settlement, settlement_of

ISSUED = date(2026, 11, 2)


def invoice() -> Invoice:
    lines = [
        {
            "line_no": 1,
            "kind": "recurring",
            "description": "Mobile 20 Go",
            "net": "100.00",
            "tax": "20.00",
            "gross": "120.00",
        }
    ]
    issued = Invoice(
        client_id=uuid.uuid4(),
        period="2026-10",
        number="FAC-2026-000001",
        run_id=uuid.uuid4(),
        billed_position=1,
        issue_date=ISSUED,
        due_date=date(2026, 11, 22),
        vat_rate=Decimal("0.20"),
        lines=lines,
        net=Decimal("100.00"),
        tax=Decimal("20.00"),
        gross=Decimal("120.00"),
    )
    issued.collect_events()
    return issued


def steps(subject: Invoice):
    payment = uuid.uuid4()
    yield lambda: subject.allocate(payment, Decimal("50.00"), date(2026, 11, 10))
    yield lambda: subject.apply_credit(Decimal("30.00"))
    yield lambda: subject.reverse_allocation(payment, Decimal("50.00"), date(2026, 11, 12))
    yield lambda: subject.reverse_credit_application(Decimal("10.00"), date(2026, 11, 13))
    yield lambda: subject.allocate(uuid.uuid4(), Decimal("100.00"), date(2026, 11, 14))
    yield lambda: subject.record_credit(
        uuid.uuid4(), "AV-2026-000001", subject.credit_lines(None), date(2026, 11, 15)
    )


def test_the_aggregate_moves_its_open_amount_by_what_the_rule_says_each_event_settles():
    subject, seen = invoice(), set()
    for step in steps(subject):
        before = subject.open_amount
        step()
        [event] = subject.collect_events()
        settled = settlement_of(type(event).__name__, lambda key, default: getattr(event, key, default))
        assert before - subject.open_amount == settled.taken_off, type(event).__name__
        seen.add(type(event).__name__)
    assert seen == set(SETTLING_EVENTS)


def test_a_credit_note_on_a_paid_invoice_releases_what_was_overpaid():
    settled = settlement_of(
        "InvoiceCredited", {"gross": "120.00", "released_to_credit": "100.00", "on": "2026-11-15"}.get
    )

    assert settled == Settlement(date(2026, 11, 15), credited=Decimal("120.00"), paid=Decimal("-100.00"))
    assert settled.taken_off == Decimal("20.00")


def test_an_event_that_settles_nothing_is_refused():
    with pytest.raises(ValueError):
        settlement_of("InvoiceDocumentIssued", {}.get)
