"""Number allocation: random, unique by a deterministic reservation id, retried on collision."""

from __future__ import annotations

from random import Random, SystemRandom
from typing import Callable
from uuid import UUID

from domain.markers import NumberReservation
from domain.numbers import random_number
from infra.command_context import CommandContext
from infra.event_store import ConcurrencyConflict, EventStore

MAX_DRAWS = 50
_RANDOM = SystemRandom()

Draw = Callable[[str], str]


def default_draw(kind: str, rng: Random = _RANDOM) -> str:
    return random_number(kind, rng)


class NumbersExhausted(RuntimeError):
    pass


def pick_free_number(store: EventStore, kind: str, subscriber_id: UUID, draw: Draw = default_draw) -> NumberReservation:
    """An unsaved reservation of a number that was free when looked at.

    The caller saves it with the aggregates that use it; if another command reserved the same
    number meanwhile, that save fails on the reservation's id and the caller draws again.
    """
    for _ in range(MAX_DRAWS):
        number = draw(kind)
        if not store.exists(NumberReservation.id_for(number)):
            return NumberReservation.reserve(number, kind, subscriber_id)
    raise NumbersExhausted(f"no free {kind} number found in {MAX_DRAWS} draws")


def reserve_number(store: EventStore, kind: str, subscriber_id: UUID, ctx: CommandContext, draw: Draw = default_draw) -> str:
    """Reserves and saves a number on its own, retrying collisions. Returns +212XXXXXXXXX."""
    for _ in range(MAX_DRAWS):
        reservation = pick_free_number(store, kind, subscriber_id, draw)
        try:
            store.save_as(ctx, reservation)
        except ConcurrencyConflict:
            continue
        return reservation.number
    raise NumbersExhausted(f"kept colliding on {kind} numbers")
