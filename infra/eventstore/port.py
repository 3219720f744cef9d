"""The event store as command handlers see it: the operations they may call, and nothing of SQL.

Two stores fill it: `PostgresEventStore` (store.py), the one the system runs on, and
`InMemoryEventStore` (memory.py), which keeps the same stored form in memory so a handler can be
tested without a database, as given (events) / when (command) / then (events or an error).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Iterator, Protocol, Sequence, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import Conflict
from infra.eventstore.personal_data import DataKeys
from infra.kernel.command_context import CommandContext

A = TypeVar("A", bound=Aggregate)
Row = tuple[
    str, Sequence[Any]
]  # an INSERT (%s placeholders, no RETURNING) and its parameters, written with an append


class ConcurrencyConflict(Conflict):
    code = "concurrency_conflict"


class EventStore(Protocol):
    def save_as(self, ctx: CommandContext, *aggregates: Aggregate, alongside: Sequence[Row] = ()) -> int:
        """Appends the aggregates' pending events atomically, with `alongside` rows outside the log;
        returns the last log position. Raises ConcurrencyConflict when another command got there first."""
        ...

    def save_rows(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Writes rows outside the log (an INSERT with %s placeholders, for each row) and commits them at
        once, before any event names them; the statement must tolerate being run again."""
        ...

    def load(self, cls: type[A], aggregate_id: UUID, *, what: str) -> A:
        """The aggregate, or NotFound (`<what>_not_found`)."""
        ...

    def load_many(self, cls: type[A], aggregate_ids: list[UUID]) -> dict[UUID, A]: ...

    def load_any(self, aggregate_ids: list[UUID]) -> dict[UUID, Aggregate]: ...

    def exists(self, aggregate_id: UUID) -> bool: ...

    def refresh(self, aggregate: A) -> A:
        """The aggregate, brought up to date in place with what was appended to it since it was loaded."""
        ...

    def position_of(self, aggregate_id: UUID, version: int = 1) -> int:
        """The log position at which an aggregate reached `version`."""
        ...

    def head(self) -> int:
        """The log position of the last event appended."""
        ...

    def scan(self, topics: list[str], up_to: int, span: int = 50_000) -> Iterator[tuple[UUID, str, bytes]]:
        """(originator id, topic, stored state) of every event with one of `topics`, in log order, up to a position."""
        ...

    def history_of(
        self, aggregate_ids: list[UUID], topics: list[str], up_to: int
    ) -> Iterator[tuple[UUID, str, bytes]]:
        """As `scan`, for these aggregates only: one block of a billing run reads its clients' histories."""
        ...

    def states_of(self, topic: str) -> list[bytes]:
        """The stored state of every event with this topic, in log order (for rare topics: billing runs started)."""
        ...

    def unfinished(self, started: str, finished: str) -> list[UUID]:
        """The aggregates that recorded a `started` event and no `finished` one."""
        ...

    @property
    def data_keys(self) -> DataKeys:
        """The clients' data keys, which seal their personal fields (personal_data.py)."""
        ...

    def open_sealed(self, topic: str, aggregate_id: UUID, token: str) -> dict[str, Any]:
        """The personal fields a sealed token holds (for log readers that decode states themselves), or their
        erased values once the client's key is destroyed."""
        ...

    def exclusive(self, key: UUID, wait: bool = False) -> AbstractContextManager[bool]:
        """Holds a lock named by `key`, across processes, while the block runs; yields False (and holds
        nothing) when another holder has it, or, with `wait`, waits for it. The lock dies with its holder."""
        ...
