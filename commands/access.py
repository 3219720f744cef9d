"""RecordRefusal: keeps an audit entry for a privileged action that was refused; and the windows that
fold a caller's repeated refusals into that one entry and, past a limit, tell the caller to wait."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Hashable, Literal
from uuid import UUID

from commands.base import CommandResult
from domain.access import AccessRefusal
from infra.eventstore.port import EventStore
from infra.kernel.command_context import CommandContext

WINDOW_S = 60
LIMIT = 20  # refusals of one caller, for one call, within a window; past it: 429 until the window ends


def record_refusal(
    store: EventStore, method: str, path: str, allowed_roles: list[str], ctx: CommandContext
) -> CommandResult:
    refusal = AccessRefusal(
        actor=ctx.actor, role=ctx.role, method=method, path=path, allowed_roles=sorted(allowed_roles)
    )
    return CommandResult(refusal.id, store.save_as(ctx, refusal))


def record_repeated_refusals(
    store: EventStore, refusal_id: UUID, times: int, window_seconds: int, ctx: CommandContext
) -> CommandResult:
    refusal = store.load(AccessRefusal, refusal_id, what="access_refusal")
    refusal.repeated(times, window_seconds)
    return CommandResult(refusal.id, store.save_as(ctx, refusal))


@dataclass
class _Entry:
    refusal_id: UUID | None = None
    repeats: int = 0


@dataclass
class _Window:
    opened: float
    refusals: int = 0
    entries: dict[Hashable, _Entry] = field(default_factory=dict)


Admission = Literal["record", "count", "throttle"]


class RefusalWindows:
    """Refused calls per caller (key holder and address), per window of `window_s`. For each call (method
    and path) the first refusal is recorded at once and the next ones are counted, then recorded together
    when the window closes: one audit entry per call and window. Past `limit` refusals in a window the
    caller gets 429 instead (counted in that call's entry, if any) until the window ends."""

    def __init__(
        self, window_s: float = WINDOW_S, limit: int = LIMIT, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s, self.limit, self._now = window_s, limit, now
        self._windows: dict[Hashable, _Window] = {}
        self._closing: list[_Window] = []  # ended windows replaced before `closed` collected them

    def admit(self, caller: Hashable, call: Hashable) -> Admission:
        window = self._windows.get(caller)
        if window is None or self._ended(window):
            if window is not None:  # ended: its repeats are still to be recorded
                self._closing.append(window)
            window = self._windows[caller] = _Window(self._now())
        entry = window.entries.get(call)
        if window.refusals >= self.limit:
            if entry is not None:
                entry.repeats += 1  # still refused, and counted in the audit entry
            return "throttle"
        window.refusals += 1
        if entry is None:
            window.entries[call] = _Entry()
            return "record"
        entry.repeats += 1
        return "count"

    def recorded(self, caller: Hashable, call: Hashable, refusal_id: UUID) -> None:
        self._windows[caller].entries[call].refusal_id = refusal_id

    def retry_after(self, caller: Hashable) -> int:
        window = self._windows[caller]
        return max(1, int(window.opened + self.window_s - self._now()) + 1)

    def closed(self, everything: bool = False) -> list[tuple[UUID, int]]:
        """The repeats to record, (first refusal, times), of the windows that ended (all of them when the
        gateway stops); ended windows are forgotten."""
        ended = [c for c, w in self._windows.items() if everything or self._ended(w)]
        windows = [*self._closing, *(self._windows.pop(caller) for caller in ended)]
        self._closing = []
        return [
            (entry.refusal_id, entry.repeats)
            for window in windows
            for entry in window.entries.values()
            if entry.repeats and entry.refusal_id is not None
        ]

    def _ended(self, window: _Window) -> bool:
        return self._now() - window.opened >= self.window_s

    def __len__(self) -> int:
        return len(self._windows) + len(self._closing)
