"""Number allocation: random, unique by a deterministic reservation id, retried on collision; and numbers held
for a self-service draft, so that the number a visitor is shown is the number the contract gets."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random, SystemRandom
from typing import Callable, NamedTuple
from uuid import UUID

from commands.retry import retry_on_conflict
from domain.errors import Conflict
from domain.markers import NumberReservation
from domain.numbers import random_number
from infra.eventstore.port import ConcurrencyConflict, EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext

MAX_DRAWS = 50
_RANDOM = SystemRandom()

Draw = Callable[[str], str]


def default_draw(kind: str, rng: Random = _RANDOM) -> str:
    return random_number(kind, rng)


class NumbersExhausted(RuntimeError):
    pass


def pick_free_number(
    store: EventStore, kind: str, subscriber_id: UUID, draw: Draw = default_draw
) -> NumberReservation:
    """An unsaved reservation of a number that was free when looked at.

    The caller saves it with the aggregates that use it; if another command reserved the same
    number meanwhile, that save fails on the reservation's id and the caller draws again.
    """
    for _ in range(MAX_DRAWS):
        number = draw(kind)
        if not store.exists(NumberReservation.id_for(number)):
            return NumberReservation.reserve(number, kind, subscriber_id)
    raise NumbersExhausted(f"no free {kind} number found in {MAX_DRAWS} draws")


def reserve_number(
    store: EventStore, kind: str, subscriber_id: UUID, ctx: CommandContext, draw: Draw = default_draw
) -> str:
    """Reserves and saves a number on its own, retrying collisions. Returns +212XXXXXXXXX."""
    for _ in range(MAX_DRAWS):
        reservation = pick_free_number(store, kind, subscriber_id, draw)
        try:
            store.save_as(ctx, reservation)
        except ConcurrencyConflict:
            continue
        return reservation.number
    raise NumbersExhausted(f"kept colliding on {kind} numbers")


class NumberHold(NamedTuple):
    """The number a self-service draft holds (None: the draft is gone, and so is its hold), and the draft's
    holder digest."""

    holder: str
    number: str | None


class HeldNumber(NamedTuple):
    number: str
    held_until: datetime


def hold_lost(number: str | None) -> Conflict:
    return Conflict(
        "the number shown is no longer held for this draft: ask for a number again",
        code="number_hold_lost",
        field="number",
        number=number,
    )


def held_reservation(store: EventStore, hold: NumberHold, kind: str, now: datetime) -> NumberReservation:
    """The draft's held number, still free of anyone else's claim and of the kind the line needs; else
    number_hold_lost."""
    if hold.number is None:
        raise hold_lost(None)
    reservation = store.load_any([NumberReservation.id_for(hold.number)]).get(
        NumberReservation.id_for(hold.number)
    )
    if (
        not isinstance(reservation, NumberReservation)
        or reservation.kind != kind
        or not reservation.may_be_taken_by(hold.holder, now)
    ):
        raise hold_lost(hold.number)
    return reservation


def take_held_number(
    store: EventStore, hold: NumberHold, kind: str, subscriber_id: UUID, now: datetime
) -> NumberReservation:
    """The held number, assigned to the new line (unsaved: it commits with the contract)."""
    reservation = held_reservation(store, hold, kind, now)
    reservation.reserve_again(subscriber_id, now, holder=hold.holder)
    return reservation


@retry_on_conflict
def hold_number(
    store: EventStore,
    clock: Clock,
    kind: str,
    holder: str,
    current: str | None,
    hold_for: timedelta,
    ctx: CommandContext,
    draw: Draw = default_draw,
) -> HeldNumber:
    """A number held for a draft. The draft's current number is kept (held longer once half its hold has passed) while
    nobody else has taken it and it is of the kind asked; otherwise a fresh one is drawn and the old hold released."""
    now = clock.now()
    found = (
        store.load_any([NumberReservation.id_for(current)]).get(NumberReservation.id_for(current))
        if current
        else None
    )
    previous = found if isinstance(found, NumberReservation) and found.may_be_taken_by(holder, now) else None
    if previous is not None and previous.kind == kind:
        if previous.held_for == holder and previous.held_until and previous.held_until - now > hold_for / 2:
            return HeldNumber(previous.number, previous.held_until)
        previous.hold(holder, now + hold_for, now)
        store.save_as(ctx, previous)
        return HeldNumber(previous.number, now + hold_for)
    released = []
    if previous is not None:
        previous.release_hold(holder)
        released.append(previous)
    for _ in range(MAX_DRAWS):
        number = draw(kind)
        if store.exists(NumberReservation.id_for(number)):
            continue
        try:
            store.save_as(ctx, NumberReservation.hold_new(number, kind, holder, now + hold_for), *released)
        except ConcurrencyConflict:
            continue
        return HeldNumber(number, now + hold_for)
    raise NumbersExhausted(f"no free {kind} number found in {MAX_DRAWS} draws")


def release_held_number(store: EventStore, hold: NumberHold, ctx: CommandContext) -> None:
    """Frees the number a discarded draft held, if the draft still holds it."""
    if hold.number is None:
        return
    reservation = store.load_any([NumberReservation.id_for(hold.number)]).get(
        NumberReservation.id_for(hold.number)
    )
    if isinstance(reservation, NumberReservation):
        reservation.release_hold(hold.holder)
        if reservation.pending_events:
            store.save_as(ctx, reservation)
