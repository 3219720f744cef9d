"""When the operator's recurring work is due: the monthly billing run and the daily collections sweep.
Hours are UTC, as every moment the clock gives (Morocco is UTC+1 most of the year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.period import Period


@dataclass(frozen=True)
class Schedule:
    billing_day: int  # of the month, 1-28, so that every month has it
    billing_hour: int
    sweep_hour: int

    def period_to_bill(self, now: datetime) -> Period | None:
        """The month before `now`'s, once this month's billing day and hour have come; None before. A run
        missed on its day (every process down) is started at the first check after it."""
        if (now.day, now.hour) < (self.billing_day, self.billing_hour):
            return None
        return Period.of(now.date().replace(day=1) - timedelta(days=1))

    def day_to_sweep(self, now: datetime) -> date | None:
        """Today, once the sweep's hour has come; None before."""
        return now.date() if now.hour >= self.sweep_hour else None
