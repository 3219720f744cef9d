"""Plan changes and terminations, given events / when command / then events."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from domain.commitment import add_months, commitment_end, remaining_whole_months
from domain.errors import Conflict, InvalidTransition, RuleViolation
from tests.unit.given import START, given, then_events

TODAY = date(2026, 10, 10)


def change(contract, fee: str, on: date = date(2026, 11, 1), service: str = "mobile", offer_id=None):
    return contract.change_plan(
        offer_id=offer_id or uuid.uuid4(),
        offer_version=1,
        offer_name=f"Plan {fee}",
        service=service,
        monthly_fee=Decimal(fee),
        effective_date=on,
        today=TODAY,
    )


@pytest.mark.parametrize(("fee", "kind"), [("149.00", "upgrade"), ("99.00", "lateral")])
def test_plan_change_is_classed_by_tier_and_recorded(fee, kind):
    contract = given("activated")
    assert change(contract, fee) == kind
    assert then_events(contract) == ["ContractPlanChanged"]
    assert [p.monthly_fee for p in contract.timeline] == [Decimal("99.00"), Decimal(fee)]
    assert contract.plan_on(date(2026, 10, 31)).monthly_fee == Decimal("99.00")
    assert contract.plan_on(date(2026, 11, 1)).monthly_fee == Decimal(fee)


def test_downgrade_during_commitment_is_refused_and_allowed_after():
    contract = given("activated")  # 12 months from 2026-10-01
    with pytest.raises(Conflict) as refused:
        change(contract, "49.00")
    assert refused.value.code == "downgrade_blocked_by_commitment"
    assert refused.value.details["commitment_ends"] == "2027-10-01"
    assert then_events(contract) == []
    assert change(contract, "49.00", on=date(2027, 10, 1)) == "downgrade"


@pytest.mark.parametrize(
    ("history", "status"),
    [(("activated", "suspended"), "suspended"), (("activated", "terminated"), "terminated"), ((), "draft")],
)
def test_only_active_contracts_change_plan(history, status):
    contract = given(*history)
    with pytest.raises(InvalidTransition) as refused:
        change(contract, "149.00")
    assert (
        refused.value.code == "plan_change_not_allowed" and refused.value.details["current_status"] == status
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"service": "internet"}, "plan_change_service_mismatch"),
        ({"on": date(2026, 10, 9)}, "effective_date_in_past"),
    ],
)
def test_plan_change_rules(kwargs, code):
    contract = given("activated")
    with pytest.raises(RuleViolation) as refused:
        change(contract, "149.00", **kwargs)
    assert refused.value.code == code


def test_same_offer_version_is_not_a_change():
    contract = given("activated")
    with pytest.raises(Conflict) as refused:
        change(contract, "99.00", offer_id=contract.offer_id)
    assert refused.value.code == "plan_unchanged"


def test_a_later_change_replaces_a_scheduled_one_from_its_date():
    contract = given("activated")
    change(contract, "149.00", on=date(2026, 12, 1))
    change(contract, "199.00", on=date(2026, 11, 15))
    assert [(p.effective_from, p.monthly_fee) for p in contract.timeline] == [
        (START, Decimal("99.00")),
        (date(2026, 11, 15), Decimal("199.00")),
    ]


def test_early_termination_needs_the_flag_and_charges_remaining_whole_months():
    contract = given("activated")
    with pytest.raises(Conflict) as refused:
        contract.terminate(on=date(2026, 12, 15), reason="moving")
    assert (
        refused.value.code == "early_termination_required" and refused.value.details["remaining_months"] == 9
    )
    contract.terminate(on=date(2026, 12, 15), reason="moving", early_termination=True)
    event = contract.collect_events()[-1]
    assert (event.early_termination_months, event.early_termination_charge) == (9, Decimal("891.00"))


def test_termination_after_the_commitment_charges_nothing():
    contract = given("activated")
    contract.terminate(on=date(2027, 10, 1), reason="done")
    event = contract.collect_events()[-1]
    assert (event.early_termination_months, event.early_termination_charge) == (0, Decimal("0.00"))


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 10, 1), 24, date(2028, 10, 1)),
    ],
)
def test_month_arithmetic_clamps_to_month_end(start, months, end):
    assert add_months(start, months) == end == commitment_end(start, months)


def test_remaining_whole_months_ignores_part_months():
    assert remaining_whole_months(date(2026, 12, 15), date(2027, 10, 1)) == 9
    assert remaining_whole_months(date(2027, 9, 30), date(2027, 10, 1)) == 0
    assert remaining_whole_months(date(2027, 10, 1), date(2027, 10, 1)) == 0
