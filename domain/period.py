"""Billing periods: calendar months, written YYYY-MM."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import RuleViolation

PERIOD_REGEX = r"^(\d{4})-(0[1-9]|1[0-2])$"
PATTERN = re.compile(PERIOD_REGEX)


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PATTERN.match(text or "")
        if not match or not 2000 <= int(match.group(1)) <= 2999:
            raise RuleViolation(
                "a period is a calendar month written YYYY-MM", code="invalid_period", field="period"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, self.days)

    @property
    def end(self) -> date:
        """The first day after the period (periods are half-open intervals)."""
        return self.last_day + timedelta(days=1)

    def next(self) -> Period:
        return Period.of(self.end)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
