"""Idempotency-Key handling for commands that create something.

The record is saved in the same append as the command's own events, so a request is applied
once even across crashes: replaying the key returns the first result and appends nothing, and
a different body under the same key is refused.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson

from commands.base import Command, CommandResult
from domain.errors import Conflict
from domain.markers import IdempotencyRecord
from infra.eventstore.port import ConcurrencyConflict, EventStore


@dataclass(frozen=True)
class IdempotencyKey:
    scope: str  # who sent it: keys of different API clients never collide
    key: str
    # What the key stands for, when it is not the command it guards: a self-service submission
    # becomes a different command once the client it created exists, yet repeats the same request.
    request: Command | None = field(default=None, compare=False)

    @property
    def record_id(self):
        return IdempotencyRecord.id_for(self.scope, self.key)


def request_hash(command: Command) -> str:
    canonical = orjson.dumps(command.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(type(command).__name__.encode() + canonical).hexdigest()


@dataclass(frozen=True)
class EarlierResult:
    result: CommandResult
    outcome: str


def earlier_result(
    store: EventStore, key: IdempotencyKey, command: Command, record: IdempotencyRecord | None
) -> EarlierResult | None:
    """The first result under this key, from its record as read together with the command's other state.

    Read the record in the same query as the state the decision uses: read apart, a request racing
    the first one could miss the record yet see the first one's effects, and decide on them.
    """
    if record is None:
        return None
    if record.request_hash != request_hash(key.request or command):
        raise Conflict(
            "this Idempotency-Key was used with a different request", code="idempotency_key_reused"
        )
    return EarlierResult(CommandResult(record.result_id, store.position_of(key.record_id)), record.outcome)


def record_for(
    key: IdempotencyKey | None, command: Command, result_id, outcome: str
) -> list[IdempotencyRecord]:
    if key is None:
        return []
    return [
        IdempotencyRecord(
            id=key.record_id,
            request_hash=request_hash(key.request or command),
            result_id=result_id,
            outcome=outcome,
        )
    ]


def once_only(
    call: functools.partial,
    key: IdempotencyKey,
    digest: str,
    *,
    answer: type | None = None,
    replayed: Callable[[CommandResult], Any] = lambda first: first,
) -> Callable[[], Any]:
    """A bound handler (`call`, its `store` among its keywords) applied once per key: the first result
    again, appending nothing, when the key was used before with the same request (`digest`); `409
    idempotency_key_reused` with another. The key's record is saved in the handler's first append, named
    after the aggregate the command answers with: the first it saves, or the first of type `answer`. A
    request racing the first one fails to create the same record, and then answers the first one's result.
    `replayed` makes the first result into what the handler returns (a handler answering with an outcome
    beside its result)."""
    store = call.keywords["store"]

    def run() -> Any:
        if (first := _first_result(store, key, digest)) is not None:
            return replayed(first)
        recording = _RecordingStore(store, key, digest, answer)
        try:
            return functools.partial(call.func, *call.args, **{**call.keywords, "store": recording})()
        except ConcurrencyConflict:
            if (first := _first_result(store, key, digest)) is not None:
                return replayed(first)
            raise

    return run


def _first_result(store: EventStore, key: IdempotencyKey, digest: str) -> CommandResult | None:
    record = store.load_any([key.record_id]).get(key.record_id)
    if record is None:
        return None
    if record.request_hash != digest:
        raise Conflict(
            "this Idempotency-Key was used with a different request", code="idempotency_key_reused"
        )
    return CommandResult(record.result_id, store.position_of(key.record_id))


class _RecordingStore:
    """The event store as one keyed command sees it: its first append also saves the key's record."""

    def __init__(self, store: EventStore, key: IdempotencyKey, digest: str, answer: type | None) -> None:
        self._store, self._key, self._digest, self._answer = store, key, digest, answer
        self._recorded = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def save_as(self, ctx, *aggregates, alongside=()) -> int:
        if self._recorded:
            return self._store.save_as(ctx, *aggregates, alongside=alongside)
        answered = next(
            (a for a in aggregates if self._answer and isinstance(a, self._answer)), aggregates[0]
        )
        record = IdempotencyRecord(
            id=self._key.record_id, request_hash=self._digest, result_id=answered.id, outcome="done"
        )
        position = self._store.save_as(ctx, *aggregates, record, alongside=alongside)
        self._recorded = True
        return position
