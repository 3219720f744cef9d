"""RunBilling's handlers on the in-memory event store: what a run appends, and what it refuses."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal

import pytest

from commands.billing import (
    BillingTerms,
    execute_billing_run,
    preview_billing,
    start_billing_run,
    unfinished_runs,
)
from domain.client import Client
from domain.errors import Conflict
from tests.unit.documents_samples import OPERATOR
from tests.unit.given import provisioned_contract
from tests.unit.handlers import CTX, Scenario

TODAY = date(2026, 11, 2)
TERMS = BillingTerms(vat_rate=Decimal("0.20"), payment_terms_days=20, block_size=100)


def client_with_a_line(name: str, start: date = date(2026, 10, 1)) -> list:
    client = Client(
        cin=f"AB{uuid.uuid4().int % 100000:05d}",
        full_name=name,
        email="a@b.ma",
        address="12 rue X, Rabat",
        phone=None,
    )
    contract = provisioned_contract(client_id=client.id, start=start)
    contract.activate(on=start)
    return [client, contract]


def bill(period: str = "2026-10"):
    def run(store, clock):
        started = start_billing_run(store, clock, TERMS, period, CTX)
        return execute_billing_run(store, clock, OPERATOR, TERMS, started.run.id, CTX, started.roster)

    return run


def test_a_run_issues_the_invoice_its_pdf_and_completes():
    scenario = Scenario(TODAY).given(*client_with_a_line("Amina Benali"))

    run = scenario.when(bill())

    assert run.status == "completed"
    assert scenario.then_names() == [
        "BillingRunStarted",
        "BillingRunBlockIssued",
        "NumberSeriesOpened",
        "NumbersAllocated",
        "InvoiceIssued",
        "BillingRunIssued",
        "InvoiceDocumentIssued",
        "BillingRunCompleted",
    ]
    issued = scenario.then_one("InvoiceIssued").fields
    assert (issued["number"], issued["net"], issued["tax"], issued["gross"]) == (
        "FAC-2026-000001",
        Decimal("149.00"),
        Decimal("29.80"),
        Decimal("178.80"),
    )
    assert (issued["issue_date"], issued["due_date"]) == (TODAY, date(2026, 11, 22))
    [(_, row)] = scenario.store.rows
    pdf = row[5]
    assert (
        pdf.startswith(b"%PDF")
        and hashlib.sha256(pdf).hexdigest() == scenario.then_one("InvoiceDocumentIssued").fields["sha256"]
    )


def test_invoice_numbers_follow_the_clients_order_without_a_gap():
    scenario = Scenario(TODAY).given(
        *client_with_a_line("A"), *client_with_a_line("B"), *client_with_a_line("C")
    )

    scenario.when(bill())

    numbers = sorted(r.fields["number"] for r in scenario.then() if r.name == "InvoiceIssued")
    assert numbers == ["FAC-2026-000001", "FAC-2026-000002", "FAC-2026-000003"]


def test_a_period_that_has_not_ended_is_refused_and_nothing_is_appended():
    scenario = Scenario(date(2026, 10, 31)).given(*client_with_a_line("Amina Benali"))

    with pytest.raises(Conflict) as refused:
        scenario.when(bill())

    assert refused.value.code == "period_not_ended"
    assert scenario.then() == []


def test_billing_a_billed_period_again_appends_nothing():
    scenario = Scenario(TODAY).given(*client_with_a_line("Amina Benali"))
    first = scenario.when(bill())

    again = scenario.when(bill())

    assert (again.id, again.status) == (first.id, "completed")
    assert scenario.then() == []


def test_a_dry_run_previews_the_invoices_and_appends_nothing():
    scenario = Scenario(TODAY).given(
        *client_with_a_line("Amina Benali"), *client_with_a_line("Late", start=date(2026, 11, 1))
    )

    position, drafts = scenario.when(lambda store, clock: preview_billing(store, clock, TERMS, "2026-10"))

    assert position == scenario.store.head()
    assert [d.totals.gross for d in drafts] == [Decimal("178.80")]
    assert scenario.then() == []


def test_a_started_run_is_unfinished_until_it_completes():
    scenario = Scenario(TODAY).given(*client_with_a_line("Amina Benali"))
    started = scenario.when(lambda store, clock: start_billing_run(store, clock, TERMS, "2026-10", CTX))
    assert unfinished_runs(scenario.store) == [started.run.id]

    scenario.when(
        lambda store, clock: execute_billing_run(store, clock, OPERATOR, TERMS, started.run.id, CTX)
    )

    assert unfinished_runs(scenario.store) == []
    assert scenario.then_names()[-1] == "BillingRunCompleted"
