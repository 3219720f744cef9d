"""When the monthly billing run and the daily sweep are due."""

from __future__ import annotations

from datetime import date, datetime, timezone

from domain.period import Period
from domain.schedule import Schedule

SCHEDULE = Schedule(billing_day=3, billing_hour=2, sweep_hour=6)


def at(day: int, hour: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 30, tzinfo=timezone.utc)


def test_the_month_before_is_billed_from_the_billing_day_and_hour_on():
    assert SCHEDULE.period_to_bill(at(3, 1)) is None
    assert SCHEDULE.period_to_bill(at(2, 23)) is None
    assert SCHEDULE.period_to_bill(at(3, 2)) == Period(2026, 11)
    assert SCHEDULE.period_to_bill(at(17, 0)) == Period(2026, 11)  # missed on its day: started later


def test_january_bills_the_december_before():
    assert SCHEDULE.period_to_bill(at(5, 0, month=1).replace(year=2027)) == Period(2026, 12)


def test_the_sweep_is_due_from_its_hour_for_that_day():
    assert SCHEDULE.day_to_sweep(at(9, 5)) is None
    assert SCHEDULE.day_to_sweep(at(9, 6)) == date(2026, 12, 9)
