"""Gap-free yearly number series: FAC-YYYY-NNNNNN for invoices, AV-YYYY-NNNNNN for credit notes.

A series is one aggregate. Numbers are allocated in blocks and appended in the same atomic save
as the documents that take them, so a number is either used or never existed: no gap, and the
aggregate's version check makes two allocators of the same block impossible.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.identity import MTF_NAMESPACE

INVOICES = "FAC"
CREDIT_NOTES = "AV"


class NumberSeries(Aggregate):
    @staticmethod
    def create_id(prefix: str, year: int, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"number-series/{prefix}-{year}")

    @event("NumberSeriesOpened")
    def __init__(self, prefix: str, year: int) -> None:
        self.prefix = prefix
        self.year = year
        self.last = 0

    def allocate(self, count: int) -> list[str]:
        if count < 1:
            return []
        first = self.last + 1
        self._allocated(first=first, count=count)
        return [self.format(n) for n in range(first, first + count)]

    def format(self, n: int) -> str:
        return f"{self.prefix}-{self.year}-{n:06d}"

    @event("NumbersAllocated")
    def _allocated(self, first: int, count: int) -> None:
        self.last = first + count - 1
