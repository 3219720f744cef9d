"""Which days a line can be booked on: a start date or a plan change's effective date.

The rules refuse dates in the past. It says nothing of the far future; an operator does not take a
contract starting in the year 9999, and one that starts years ahead would hold a number and show
as a line for nothing. A booking may lie at most twelve calendar months ahead of today, so that a
12-month commitment signed today can always be followed by a downgrade on the day it ends.
"""

from __future__ import annotations

from datetime import date

from domain.commitment import add_months
from domain.errors import RuleViolation

BOOKING_HORIZON_MONTHS = 12


def latest_bookable(today: date) -> date:
    return add_months(today, BOOKING_HORIZON_MONTHS)


def bookable(day: date, today: date, field: str = "start_date") -> date:
    """`day` if a line can be booked on it; otherwise `<field>_in_past` or `<field>_too_far_ahead`."""
    what = field.replace("_", " ")
    if day < today:
        raise RuleViolation(f"the {what} is in the past", code=f"{field}_in_past", field=field)
    if day > latest_bookable(today):
        latest = latest_bookable(today).isoformat()
        raise RuleViolation(
            f"the {what} is more than a year ahead (latest {latest})",
            code=f"{field}_too_far_ahead",
            field=field,
            latest=latest,
        )
    return day
