"""Property tests of invoice computation over random contract timelines, leap years included.

The oracle walks the period day by day; the code under test works on intervals.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.billing import ContractHistory, DiscountTerms, Totals, invoice_lines
from domain.money import mad
from domain.period import Period

VAT = Decimal("0.20")
fees = st.integers(min_value=100, max_value=99_999).map(lambda cents: Decimal(cents) / 100)


@st.composite
def timelines(draw):
    start = draw(st.dates(min_value=date(2023, 1, 1), max_value=date(2029, 12, 31)))
    data = {
        "client_id": uuid.uuid4(),
        "number": "+212612345678",
        "service": "mobile",
        "start_date": start,
        "activation_fee": draw(st.sampled_from([Decimal("0"), Decimal("50.00"), Decimal("199.99")])),
        "offer_id": uuid.uuid4(),
        "offer_version": 1,
        "offer_name": "Plan 1",
        "monthly_fee": draw(fees),
    }
    contract = ContractHistory.provisioned(uuid.uuid4(), data)
    contract.apply("ContractActivated", {"on": start})
    day, status = start, "active"
    for step in range(draw(st.integers(0, 8))):
        day += timedelta(days=draw(st.integers(0, 45)))
        action = draw(st.sampled_from(["toggle", "plan", "plan", "terminate"]))
        if action == "plan":
            contract.apply(
                "ContractPlanChanged",
                {
                    "offer_id": uuid.uuid4(),
                    "offer_version": step + 2,
                    "offer_name": f"Plan {step + 2}",
                    "monthly_fee": draw(fees),
                    "effective_date": day,
                },
            )
        elif action == "toggle":
            status = "suspended" if status == "active" else "active"
            contract.apply(
                "ContractSuspended" if status == "suspended" else "ContractResumed",
                {"on": day, "reason": "x"},
            )
        else:
            charge = draw(st.sampled_from([Decimal("0.00"), Decimal("297.00")]))
            contract.apply(
                "ContractTerminated", {"on": day, "reason": "x", "early_termination_charge": charge}
            )
            break
    return contract


def oracle_days(contract: ContractHistory, period: Period) -> Counter:
    """Active days per plan (keyed by its effective date), found one day at a time."""
    plans = sorted(contract.plans, key=lambda p: p.effective_from)
    days: Counter = Counter()
    day = period.first_day
    while day <= period.last_day:
        changes = [status for on, status in contract.status_changes if on <= day]
        if changes and changes[-1] == "active":
            in_force = [p for p in plans if p.effective_from <= day]
            days[in_force[-1].effective_from] += 1
        day += timedelta(days=1)
    return days


def periods_around(contract: ContractHistory) -> list[Period]:
    period, last = Period.of(contract.start_date), Period.of(contract.start_date + timedelta(days=400))
    out = []
    while period <= last:
        out.append(period)
        period = period.next()
    return out


@settings(max_examples=300, deadline=None)
@given(timelines())
def test_billed_days_equal_active_days_and_amounts_add_up(contract):
    one_offs: Counter = Counter()
    for period in periods_around(contract):
        lines = invoice_lines([contract], [], period, VAT)
        recurring = [line for line in lines if line.kind == "recurring"]
        billed = Counter()
        for line in recurring:
            billed[
                next(p.effective_from for p in contract.plans if p.offer_version == line.offer_version)
            ] += line.days
            assert line.net == mad(line.monthly_fee * line.days / period.days)
            assert line.period_days == period.days and 1 <= line.days <= period.days
        assert billed == oracle_days(contract, period), f"period {period}"
        for line in lines:
            assert line.tax == mad(line.net * VAT) and line.gross == line.net + line.tax
            one_offs[line.kind] += line.kind != "recurring"
        totals = Totals.of(lines)
        assert totals.net + totals.tax == totals.gross
        assert totals.gross == sum((line.gross for line in lines), Decimal(0))
    assert one_offs["activation_fee"] == (1 if contract.activation_fee > 0 else 0)
    assert one_offs["early_termination"] == (1 if contract.early_termination_charge > 0 else 0)


@settings(max_examples=200, deadline=None)
@given(timelines(), st.sampled_from(["percent", "fixed"]), st.integers(1, 100), st.booleans())
def test_discounts_never_exceed_recurring_fees(contract, kind, value, per_contract):
    discount = DiscountTerms(
        uuid.uuid4(),
        contract.client_id,
        contract.contract_id if per_contract else None,
        kind,
        Decimal(value),
        Period.of(contract.start_date),
        None,
        "Promo",
    )
    for period in periods_around(contract)[:3]:
        lines = invoice_lines([contract], [discount], period, VAT)
        recurring = sum((line.net for line in lines if line.kind == "recurring"), Decimal(0))
        discounted = -sum((line.net for line in lines if line.kind == "discount"), Decimal(0))
        assert Decimal(0) <= discounted <= recurring
        if recurring > 0 and kind == "fixed":
            assert discounted == min(Decimal(value), recurring)


def test_a_whole_month_bills_the_exact_fee_in_february_of_a_leap_year():
    data = {
        "client_id": uuid.uuid4(),
        "number": "+212612345678",
        "service": "mobile",
        "start_date": date(2028, 1, 15),
        "activation_fee": Decimal("0"),
        "offer_id": uuid.uuid4(),
        "offer_version": 1,
        "offer_name": "P",
        "monthly_fee": Decimal("99.99"),
    }
    contract = ContractHistory.provisioned(uuid.uuid4(), data)
    contract.apply("ContractActivated", {"on": date(2028, 1, 15)})
    (line,) = invoice_lines([contract], [], Period(2028, 2), VAT)
    assert (line.days, line.period_days, line.net, line.tax) == (29, 29, Decimal("99.99"), Decimal("20.00"))
