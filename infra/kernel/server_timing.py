"""Where a request's time went, answered as W3C `Server-Timing` metrics (`MTF_SERVER_TIMING`).

Off by default: the phases of a command tell a caller how long it waited and where, which a public
front end does not need to know. On, each answer carries, in milliseconds:
- `app`: from the request reaching the gateway's middleware to its answer starting;
- `queue`: a command waiting for a free command thread (and for the GIL to start on it);
- `command`: the command handler on its thread, `cpu` of which the thread spent computing;
- `append`: the event store's append statement, inside `command` (its lock, its write, its commit);
- `resume`: from the handler's end until the request's coroutine ran again on the event loop.

Reads that run no command carry `app` alone. The event-loop and command-thread phases are measured
where they happen; a collector is carried by a context variable, which the command thread's copy of
the caller's context shares.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator, TypeVar

HEADER = b"server-timing"
T = TypeVar("T")


class Timings:
    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[tuple[str, float]] = []

    def add(self, name: str, seconds: float) -> None:
        self.entries.append((name, seconds))

    def header(self) -> bytes:
        return ", ".join(f"{name};dur={seconds * 1000:.2f}" for name, seconds in self.entries).encode("ascii")


def parsed(header: str) -> dict[str, float]:
    """A Server-Timing header as {metric: milliseconds}."""
    metrics = {}
    for metric in header.split(","):
        name, _, duration = metric.strip().partition(";dur=")
        metrics[name] = float(duration)
    return metrics


_current: ContextVar[Timings | None] = ContextVar("server_timing", default=None)


@contextmanager
def collected() -> Iterator[Timings]:
    """Collects for the request in hand: its task's context, and the copies made from it."""
    timings = Timings()
    token = _current.set(timings)
    try:
        yield timings
    finally:
        _current.reset(token)


def record(name: str, seconds: float) -> None:
    if (timings := _current.get()) is not None:
        timings.add(name, seconds)


def collecting() -> bool:
    return _current.get() is not None


class CommandTimer:
    """Times one command's hand-off to a thread: `wrap` runs on the thread, `resumed` back on the loop."""

    __slots__ = ("submitted", "started", "ended")

    def __init__(self) -> None:
        self.submitted = time.perf_counter()
        self.started = self.ended = 0.0

    def wrap(self, handler: Callable[..., T]) -> Callable[..., T]:
        def timed(*args):
            self.started = time.perf_counter()
            cpu = time.thread_time()
            try:
                return handler(*args)
            finally:
                record("cpu", time.thread_time() - cpu)
                self.ended = time.perf_counter()

        return timed

    def resumed(self) -> None:
        if not self.ended:  # never ran: refused before the thread took it
            return
        record("queue", self.started - self.submitted)
        record("command", self.ended - self.started)
        record("resume", time.perf_counter() - self.ended)
