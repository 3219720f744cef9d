"""The one injectable clock. Every "today" and "now" in the system comes from here."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def today(self) -> date: ...

    def now(self) -> datetime: ...

    def seen(self, moment: datetime) -> datetime:
        """A moment read off the host's clock, as this clock tells it (how event times follow a pinned date)."""
        ...


class SystemClock:
    def today(self) -> date:
        return datetime.now(timezone.utc).date()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def seen(self, moment: datetime) -> datetime:
        return moment


class FixedDateClock:
    """Pins the calendar date; time of day still advances so event timestamps stay ordered."""

    def __init__(self, today: date) -> None:
        self._today = today

    def today(self) -> date:
        return self._today

    def set_today(self, today: date) -> None:
        """Moves the pinned date (simulations and tests that live through several billing periods)."""
        self._today = today

    def now(self) -> datetime:
        return self.seen(datetime.now(timezone.utc))

    def seen(self, moment: datetime) -> datetime:
        return moment.astimezone(timezone.utc).replace(
            year=self._today.year, month=self._today.month, day=self._today.day
        )


def clock_from(fixed_today: date | None) -> Clock:
    return FixedDateClock(fixed_today) if fixed_today else SystemClock()
