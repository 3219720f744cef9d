"""What a read model is: its tables, the events it handles, and how it is (re)built."""

from __future__ import annotations

from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from uuid import UUID

import asyncpg

from schemas.envelope import CloudEvent

SCHEMA = "readmodel"

Handler = Callable[[asyncpg.Connection, CloudEvent], Awaitable[None]]
Flush = Callable[[asyncpg.Connection, dict], Awaitable[None]]
_BATCH: ContextVar[dict[str, dict]] = ContextVar("projection_batch")


@dataclass(frozen=True)
class Projection:
    name: str
    aggregates: tuple[str, ...]
    ddl: str
    tables: tuple[str, ...]
    handlers: dict[str, Handler] = field(default_factory=dict)
    # Writes, once at the end of each batch, what the handlers gathered with `gathered(name)`.
    flush: Flush | None = None
    # Raised whenever a change to the module changes what its tables hold: the read model is then rebuilt
    # from the log at the next start (projections/versions.py), never altered in place.
    version: int = 1

    def wants(self, event: CloudEvent) -> bool:
        return event.aggregatetype in self.aggregates


def gathered(projection: str) -> dict:
    """What this batch's handlers of `projection` have gathered so far, for its `flush`.

    For totals that many events change (a row per due date, say): added up in the batch and
    written once, in key order, rather than one update of the same row per event."""
    return _BATCH.get().setdefault(projection, {})


def carried_over(events: Iterable[CloudEvent], created_by: str) -> list[UUID]:
    """The aggregates whose first event in this batch is not `created_by`: their rows were written
    by earlier batches, and a flush that folds the batch must read them first."""
    first: dict[UUID, str] = {}
    for event in events:
        first.setdefault(event.aggregate_id, event.event_name)
    return [aggregate_id for aggregate_id, name in first.items() if name != created_by]


@asynccontextmanager
async def gathering(conn: asyncpg.Connection, projections: Sequence[Projection]) -> AsyncIterator[None]:
    """One batch: handlers gather with `gathered`, and each projection's `flush` writes it at the end."""
    token = _BATCH.set({})
    try:
        yield
        for projection in projections:
            if projection.flush is not None and (totals := _BATCH.get().get(projection.name)):
                await projection.flush(conn, totals)
    finally:
        _BATCH.reset(token)
