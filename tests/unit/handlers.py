"""Command handlers on the in-memory event store: given (events), when (a command), then (events or an error).

No database: `InMemoryEventStore` stores events in the form PostgreSQL would, so the log readers
(billing, collections) read the same bytes they read in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable
from uuid import UUID

from eventsourcing.domain import Aggregate

from infra.eventstore.memory import InMemoryEventStore
from infra.kernel.clock import FixedDateClock
from infra.kernel.command_context import CommandContext

CTX = CommandContext(actor="test:handler", role="operator")


@dataclass(frozen=True)
class Recorded:
    name: str  # the event's class name
    aggregate_id: UUID
    fields: dict[str, Any]  # as stored: money and dates in their transcoded form


class Scenario:
    def __init__(self, today: date) -> None:
        self.clock = FixedDateClock(today)
        self.store = InMemoryEventStore(self.clock)
        self._mark = 0

    def given(self, *aggregates: Aggregate) -> Scenario:
        """Records these aggregates' pending events, as if earlier commands had."""
        self.store.save_as(CTX, *aggregates)
        self._mark = self.store.head()
        return self

    def when(self, command: Callable[..., Any]) -> Any:
        """Runs `command(store, clock)`; the events it appends are then read by `then`."""
        self._mark = self.store.head()
        return command(self.store, self.clock)

    def then(self) -> list[Recorded]:
        """Every event appended since `when`, in log order."""
        appended = self.store.notifications(self._mark, 10_000)
        return [
            Recorded(n.topic.rsplit(".", 1)[1], n.originator_id, self.store.decode_state(n)) for n in appended
        ]

    def then_names(self) -> list[str]:
        return [recorded.name for recorded in self.then()]

    def then_one(self, name: str) -> Recorded:
        [recorded] = [r for r in self.then() if r.name == name]
        return recorded
