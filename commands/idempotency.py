"""Idempotency-Key handling for commands that create something.

The record is saved in the same append as the command's own events, so a request is applied
once even across crashes: replaying the key returns the first result and appends nothing, and
a different body under the same key is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import orjson

from commands.base import Command, CommandResult
from domain.errors import Conflict
from domain.markers import IdempotencyRecord
from infra.eventstore.port import EventStore


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
