"""Who issued a command, under which correlation, and the trace it belongs to.

Every event a command appends carries this as metadata; the relay turns it into
CloudEvents attributes and Kafka headers.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterator


@dataclass(frozen=True)
class CommandContext:
    actor: str
    role: str
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    reason: str | None = None
    traceparent: str | None = None

    def as_metadata(self) -> dict[str, str | None]:
        return dict(
            vars(self)
        )  # dataclasses.asdict deep-copies, at a cost a sweep felt (docs/performance.md)


SYSTEM = CommandContext(actor="system", role="system")

_current: ContextVar[CommandContext | None] = ContextVar("mtf_command_context", default=None)


@contextmanager
def recording_as(ctx: CommandContext) -> Iterator[None]:
    token = _current.set(ctx)
    try:
        yield
    finally:
        _current.reset(token)


def current_metadata() -> dict[str, str | None]:
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("events must be saved within recording_as(ctx): every event needs an actor")
    return ctx.as_metadata()
