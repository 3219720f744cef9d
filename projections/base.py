"""What a read model is: its tables, the events it handles, and how it is (re)built."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Awaitable, Callable

import asyncpg

from schemas.envelope import CloudEvent

SCHEMA = "readmodel"

Handler = Callable[[asyncpg.Connection, CloudEvent], Awaitable[None]]


@dataclass(frozen=True)
class Projection:
    name: str
    aggregates: tuple[str, ...]
    ddl: str
    tables: tuple[str, ...]
    handlers: dict[str, Handler] = field(default_factory=dict)

    def wants(self, event: CloudEvent) -> bool:
        return event.aggregatetype in self.aggregates
