"""The event store in memory, for the command handlers' unit tests.

It is the same eventsourcing application as the PostgreSQL store, on the library's in-memory
recorder: events are mapped and transcoded exactly as they are stored (so `scan` hands a log
reader the bytes PostgreSQL would), versions conflict the same way, and positions count from 1.
Rows written outside the log (with an append, or by `save_rows`) are kept in `rows` for a test to read.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator, Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification

from infra.eventstore.application import ApplicationStore
from infra.eventstore.personal_data import MemoryDataKeys
from infra.eventstore.port import Row
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext

EVERYTHING = 2**62


class InMemoryEventStore(ApplicationStore):
    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.clock = clock
        self.mapper.keys = MemoryDataKeys()
        self.rows: list[Row] = []
        self._held: set[UUID] = set()
        self._holding = threading.Condition()

    def save_as(self, ctx: CommandContext, *aggregates: Aggregate, alongside: Sequence[Row] = ()) -> int:
        position = super().save_as(ctx, *aggregates, alongside=alongside)
        self.rows.extend(alongside)
        return position

    def save_rows(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.rows.extend((statement, row) for row in rows)

    def position_of(self, aggregate_id: UUID, version: int = 1) -> int:
        for n in self._log():
            if n.originator_id == aggregate_id and n.originator_version == version:
                return n.id
        raise LookupError(f"{aggregate_id} has no version {version}")

    def scan(self, topics: list[str], up_to: int, span: int = 50_000) -> Iterator[tuple[UUID, str, bytes]]:
        for n in self._log(up_to, topics):
            yield n.originator_id, n.topic, n.state

    def history_of(
        self, aggregate_ids: list[UUID], topics: list[str], up_to: int
    ) -> Iterator[tuple[UUID, str, bytes]]:
        wanted = set(aggregate_ids)
        for n in self._log(up_to, topics):
            if n.originator_id in wanted:
                yield n.originator_id, n.topic, n.state

    def states_of(self, topic: str) -> list[bytes]:
        return [n.state for n in self._log(topics=[topic])]

    def unfinished(self, started: str, finished: str) -> list[UUID]:
        done = {n.originator_id for n in self._log(topics=[finished])}
        return [n.originator_id for n in self._log(topics=[started]) if n.originator_id not in done]

    @contextmanager
    def exclusive(self, key: UUID, wait: bool = False) -> Iterator[bool]:
        with self._holding:
            while wait and key in self._held:
                self._holding.wait()
            mine = key not in self._held
            self._held.add(key)
        try:
            yield mine
        finally:
            if mine:
                with self._holding:
                    self._held.discard(key)
                    self._holding.notify_all()

    def _log(self, up_to: int | None = None, topics: Sequence[str] = ()) -> Sequence[Notification]:
        return self.recorder.select_notifications(start=1, limit=EVERYTHING, stop=up_to, topics=topics)
