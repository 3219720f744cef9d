"""The dead-letter table (migration 0006) as the relay writes and reads it: stored events it could not make
into their CloudEvent, by position; the read models' side is projections/dead_letters.py."""

from __future__ import annotations

from typing import Any, Sequence
from uuid import UUID

import asyncpg

TABLE = "deadletters.parked"


async def park(
    conn: asyncpg.Connection,
    consumer: str,
    *,
    event_id: str,
    event_type: str,
    aggregate_type: str,
    aggregate_id: UUID,
    aggregate_version: int,
    position: int,
    error: str,
    held: bool,
) -> None:
    """Parks one event for one consumer; parking it again (after a crash, say) changes nothing."""
    await conn.execute(
        f"""INSERT INTO {TABLE} (consumer, event_id, event_type, aggregate_type, aggregate_id,
                aggregate_version, position, error, held, parked_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) ON CONFLICT (consumer, event_id) DO NOTHING""",
        consumer,
        event_id,
        event_type,
        aggregate_type,
        aggregate_id,
        aggregate_version,
        position,
        error[:2000],
        held,
    )


async def park_stored(
    conn: asyncpg.Connection, consumer: str, notification: Any, error: str, *, held: bool
) -> None:
    """Parks a stored event, known by its position (its CloudEvent could not be made)."""
    await park(
        conn,
        consumer,
        event_id=f"position:{notification.id}",
        event_type=notification.topic.rsplit(".", 1)[-1],
        aggregate_type=notification.topic.split(":", 1)[0].rsplit(".", 1)[-1],
        aggregate_id=notification.originator_id,
        aggregate_version=notification.originator_version,
        position=notification.id,
        error=error,
        held=held,
    )


async def any_parked(conn: asyncpg.Connection, consumer: str) -> bool:
    return await conn.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE consumer = $1 AND status = 'parked')", consumer
    )


async def blocked(conn: asyncpg.Connection, consumer: str, aggregate_ids: Sequence[UUID]) -> set[UUID]:
    rows = await conn.fetch(
        f"""SELECT DISTINCT aggregate_id FROM {TABLE}
            WHERE status = 'parked' AND consumer = $1 AND aggregate_id = ANY($2)""",
        consumer,
        list(set(aggregate_ids)),
    )
    return {r["aggregate_id"] for r in rows}


async def parked(conn: asyncpg.Connection, consumer: str) -> list[dict[str, Any]]:
    """The consumer's parked events, by aggregate, then version."""
    rows = await conn.fetch(
        f"SELECT * FROM {TABLE} WHERE consumer = $1 AND status = 'parked' ORDER BY aggregate_id, aggregate_version",
        consumer,
    )
    return [dict(r) for r in rows]


async def resolve(
    conn: asyncpg.Connection, ids: Sequence[int], status: str, by: str, reason: str | None = None
) -> None:
    """Marks dead letters `retried` or `discarded`, with who (and why) and when."""
    await conn.execute(
        f"UPDATE {TABLE} SET status = $2, resolved_by = $3, resolved_at = now(), reason = $4 WHERE id = ANY($1)",
        list(ids),
        status,
        by,
        reason,
    )
