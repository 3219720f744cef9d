"""`If-Match` on updates: a command applies only to the version of the aggregate its sender last read.

The check is made on the aggregate the handler loads, not before it: if another command changes the
aggregate after the load, the append conflicts, the handler runs again on the new version, and the
check then refuses it. Two operators editing one client cannot overwrite each other silently.
"""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from domain.errors import PreconditionFailed
from infra.eventstore.port import ConcurrencyConflict, EventStore


def at_version(call: functools.partial, aggregate_id: UUID, expected: int) -> functools.partial:
    """A bound handler that refuses, with PreconditionFailed, unless the aggregate it loads is at `expected`."""
    checking = _CheckingStore(call.keywords["store"], aggregate_id, expected)
    return functools.partial(_stale_refused, call.func, *call.args, **{**call.keywords, "store": checking})


def _stale_refused(handler, *args: Any, **kwargs: Any) -> Any:
    """A handler that does not retry on a conflict: another command changed the aggregate after the load,
    so the version the sender named is stale now."""
    try:
        return handler(*args, **kwargs)
    except ConcurrencyConflict as conflict:
        raise PreconditionFailed("changed by another command while this one ran") from conflict


class _CheckingStore:
    def __init__(self, store: EventStore, aggregate_id: UUID, expected: int) -> None:
        self._store, self._id, self._expected = store, aggregate_id, expected
        self.checked = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def save_as(self, ctx, *aggregates, alongside=()) -> int:
        if not self.checked:  # a handler that never loaded the aggregate: refuse rather than append unchecked
            raise AssertionError(f"the command never loaded {self._id}: its If-Match could not be checked")
        return self._store.save_as(ctx, *aggregates, alongside=alongside)

    def load(self, cls, aggregate_id: UUID, *, what: str):
        return self._check(self._store.load(cls, aggregate_id, what=what))

    def load_many(self, cls, aggregate_ids):
        found = self._store.load_many(cls, aggregate_ids)
        if self._id in found:
            self._check(found[self._id])
        return found

    def load_any(self, aggregate_ids):
        found = self._store.load_any(aggregate_ids)
        if self._id in found:
            self._check(found[self._id])
        return found

    def _check(self, aggregate):
        if aggregate.id == self._id:
            if aggregate.version != self._expected:
                raise PreconditionFailed(
                    f"changed since read: version {aggregate.version}, If-Match named {self._expected}",
                    current_version=aggregate.version,
                )
            self.checked = True
        return aggregate
