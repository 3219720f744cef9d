"""What an operator does with a dead letter once the cause is fixed, or accepted: retry the parked events of
a (read model, aggregate) pair in order, or discard the first with a reason (projections/dead_letters.py)."""

from __future__ import annotations

import asyncio
from typing import Any, Sequence

import asyncpg

from domain.errors import Conflict, NotFound
from infra.eventstore.store import PostgresEventStore
from infra.storage import dead_letters as stored
from projections import dead_letters, tracking
from projections.base import Projection
from projections.projector import apply_events
from schemas.envelope import CloudEvent
from schemas.envelopes import public_cloudevents


async def retry(
    conn: asyncpg.Connection,
    store: PostgresEventStore,
    projections: Sequence[Projection],
    parked_id: int,
    by: str,
) -> list[int]:
    """Applies the parked event's pair (read model, aggregate) from its first parked event on, in order,
    through the handlers and tracking, in the caller's transaction; returns the ids it resolved.
    `dead_letter_still_failing` (409), changing nothing, if one fails again."""
    projection, pending = await _pending(conn, projections, parked_id)
    if projection is None:
        raise Conflict(
            "a relay's dead letters are delivered by the relay when it next starts leading: restart the "
            "relays once the fix is deployed",
            code="dead_letter_retried_by_relay",
        )
    try:
        async with conn.transaction():
            for event in await _events_at(store, [p["position"] for p in pending]):
                await apply_events(conn, [projection], [event])
    except Exception as error:
        raise Conflict(
            f"the event still fails: {type(error).__name__}: {error}", code="dead_letter_still_failing"
        ) from None
    ids = [p["id"] for p in pending]
    await stored.resolve(conn, ids, "retried", by)
    return ids


async def discard(
    conn: asyncpg.Connection, projections: Sequence[Projection], parked_id: int, by: str, reason: str
) -> None:
    """Gives up on the pair's first parked event: the read model will never have it (the gap is accepted,
    with who and why), and the events held behind it can be retried."""
    projection, pending = await _pending(conn, projections, parked_id)
    first = pending[0]
    if first["id"] != parked_id:
        raise Conflict(
            "this event waits behind an earlier parked one: retry or discard that one first",
            code="dead_letter_held",
            first=first["id"],
        )
    if projection is not None:  # a read model records the gap; a relay has nothing to record
        await tracking.skip_to(
            conn, projection.name, first["aggregate_id"], first["aggregate_version"], first["position"]
        )
    await stored.resolve(conn, [parked_id], "discarded", by, reason)
    await conn.execute(
        f"UPDATE {dead_letters.TABLE} SET held = false WHERE id = ANY($1)", [p["id"] for p in pending[1:2]]
    )


async def _pending(
    conn: asyncpg.Connection, projections: Sequence[Projection], parked_id: int
) -> tuple[Projection | None, list[dict[str, Any]]]:
    """The dead letter's read model (None for a relay's) and the pair's parked events, oldest first."""
    row = await dead_letters.find(conn, parked_id)
    if row is None:
        raise NotFound(f"dead letter {parked_id} not found", code="dead_letter_not_found")
    if row["status"] != "parked":
        raise Conflict(f"dead letter {parked_id} is already {row['status']}", code="dead_letter_resolved")
    by_consumer = {dead_letters.consumer_of(p): p for p in projections}
    projection = by_consumer.get(row["consumer"])
    if projection is None and not row["consumer"].startswith("relay:"):
        raise Conflict(
            f"no read model here consumes as {row['consumer']}", code="dead_letter_unknown_consumer"
        )
    return projection, await dead_letters.open_behind(conn, row["consumer"], row["aggregate_id"])


async def _events_at(store: PostgresEventStore, positions: Sequence[int]) -> list[CloudEvent]:
    events = []
    for position in positions:
        notifications = await asyncio.to_thread(store.notifications, position - 1, 1)
        events += public_cloudevents(notifications, store.decode_state)
    return events
