"""Commitment arithmetic: when a commitment ends and how many whole months remain."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def commitment_end(start: date, months: int) -> date:
    """The first day the contract is free of its commitment."""
    return add_months(start, months)


def remaining_whole_months(on: date, end: date) -> int:
    """Whole months from `on` until `end` (a part month is not counted)."""
    if on >= end:
        return 0
    months = (end.year - on.year) * 12 + (end.month - on.month)
    if add_months(on, months) > end:
        months -= 1
    return months
