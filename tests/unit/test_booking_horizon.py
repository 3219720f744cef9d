"""Start and effective dates lie between today and twelve calendar months ahead."""

from __future__ import annotations

from datetime import date

import pytest

from domain.booking import bookable, latest_bookable
from domain.errors import RuleViolation


@pytest.mark.parametrize(
    "today, latest",
    [
        (date(2026, 11, 30), date(2027, 11, 30)),
        (
            date(2027, 3, 1),
            date(2028, 3, 1),
        ),  # 366 days: a leap day inside the year still lets a year's commitment end in it
        (date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_the_horizon_is_twelve_calendar_months(today, latest):
    assert latest_bookable(today) == latest
    assert bookable(today, today) == today
    assert bookable(latest, today) == latest


@pytest.mark.parametrize(
    "day, code",
    [
        (date(2026, 11, 29), "start_date_in_past"),
        (date(2027, 12, 1), "start_date_too_far_ahead"),
        (date(9999, 12, 1), "start_date_too_far_ahead"),
    ],
)
def test_days_outside_the_window_are_refused_with_the_field_named(day, code):
    with pytest.raises(RuleViolation) as refused:
        bookable(day, date(2026, 11, 30))
    assert refused.value.code == code and refused.value.details["field"] == "start_date"


def test_an_effective_date_is_refused_under_its_own_name():
    with pytest.raises(RuleViolation) as refused:
        bookable(date(2028, 1, 1), date(2026, 11, 30), "effective_date")
    assert refused.value.code == "effective_date_too_far_ahead"
    assert refused.value.details == {"field": "effective_date", "latest": "2027-11-30"}
