"""The collections sweep and case actions, as handlers, on the in-memory event store."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from commands.collections import (
    RecordCollectionAction,
    RunCollectionsSweep,
    record_collection_action,
    run_collections_sweep,
)
from domain.collections import CollectionsPolicy
from domain.errors import NotFound, RuleViolation
from domain.invoice import Invoice
from tests.unit.handlers import CTX, Scenario

DUE = date(2026, 11, 20)
POLICY = CollectionsPolicy()


def invoice(client_id: uuid.UUID, gross: str = "120.00") -> Invoice:
    return Invoice(
        client_id=client_id,
        period="2026-10",
        number="FA-2026-000001",
        run_id=uuid.uuid4(),
        billed_position=1,
        issue_date=date(2026, 11, 1),
        due_date=DUE,
        vat_rate=Decimal("0.20"),
        lines=[],
        net=Decimal(gross) / Decimal("1.2"),
        tax=Decimal(gross) - Decimal(gross) / Decimal("1.2"),
        gross=Decimal(gross),
    )


def sweep(as_of: date | None = None):
    return lambda store, clock: run_collections_sweep(
        store, clock, POLICY, RunCollectionsSweep(as_of=as_of), CTX
    )


def test_an_invoice_overdue_past_the_case_threshold_gets_a_reminder_and_a_case():
    client_id = uuid.uuid4()
    scenario = Scenario(today=DUE + timedelta(days=16)).given(invoice(client_id))

    _, created, recorded = scenario.when(sweep())

    assert created and recorded.outcomes["CollectionCaseOpened"] == 1
    assert scenario.then_names() == [
        "CollectionCaseOpened",
        "ClientCollectionsOpened",
        "PaymentReminderDue",
        "CollectionCaseAttached",
        "CollectionsSweepCompleted",
    ]
    assert scenario.then_one("PaymentReminderDue").fields["days_past_due"] == 16
    opened = scenario.then_one("CollectionCaseOpened")
    assert (opened.fields["client_id"], opened.fields["overdue"]) == (client_id, Decimal("120.00"))


def test_a_paid_invoice_opens_nothing():
    client_id = uuid.uuid4()
    paid = invoice(client_id)
    paid.allocate(uuid.uuid4(), Decimal("120.00"), DUE)
    scenario = Scenario(today=DUE + timedelta(days=40)).given(paid)

    scenario.when(sweep())

    assert scenario.then_names() == ["CollectionsSweepCompleted"]


def test_a_second_sweep_of_the_same_day_answers_the_first_and_appends_nothing():
    scenario = Scenario(today=DUE + timedelta(days=3)).given(invoice(uuid.uuid4()))
    first, _, _ = scenario.when(sweep())

    again, created, _ = scenario.when(sweep())

    assert (again.id, again.position, created) == (first.id, first.position, False)
    assert scenario.then() == []


def test_a_sweep_of_a_future_day_is_refused_and_appends_nothing():
    scenario = Scenario(today=DUE).given(invoice(uuid.uuid4()))

    with pytest.raises(RuleViolation) as refused:
        scenario.when(sweep(as_of=DUE + timedelta(days=1)))

    assert refused.value.code == "as_of_in_future"
    assert scenario.then() == []


def test_an_action_on_a_case_that_does_not_exist_is_not_found():
    scenario = Scenario(today=DUE)

    with pytest.raises(NotFound) as missing:
        scenario.when(
            lambda store, clock: record_collection_action(
                store, clock, uuid.uuid4(), RecordCollectionAction(kind="call_logged"), CTX
            )
        )

    assert missing.value.code == "collection_case_not_found"


def test_a_promise_to_pay_is_recorded_on_the_case():
    client_id = uuid.uuid4()
    scenario = Scenario(today=DUE + timedelta(days=20)).given(invoice(client_id))
    scenario.when(sweep())
    case_id = scenario.then_one("CollectionCaseOpened").aggregate_id
    promise = RecordCollectionAction(
        kind="promise_to_pay", promise_date=DUE + timedelta(days=30), promise_amount=Decimal("120.00")
    )

    scenario.when(lambda store, clock: record_collection_action(store, clock, case_id, promise, CTX))

    [recorded] = scenario.then()
    assert (recorded.name, recorded.aggregate_id, recorded.fields["kind"]) == (
        "CollectionActionRecorded",
        case_id,
        "promise_to_pay",
    )
