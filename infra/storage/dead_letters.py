"""The dead-letter table (migration 0006) as the relay writes and reads it: stored events it could not make
into their CloudEvent, by position; the read models' side is projections/dead_letters.py."""

from __future__ import annotations

from typing import Any, Sequence
from uuid import UUID

import asyncpg

TABLE = "deadletters.parked"


async def park_stored(
    conn: asyncpg.Connection, consumer: str, notification: Any, error: str, *, held: bool
) -> None:
    await conn.execute(
        f"""INSERT INTO {TABLE} (consumer, event_id, event_type, aggregate_type, aggregate_id,
                aggregate_version, position, error, held, parked_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) ON CONFLICT (consumer, event_id) DO NOTHING""",
        consumer,
        f"position:{notification.id}",
        notification.topic.rsplit(".", 1)[-1],
        notification.topic.split(":", 1)[0].rsplit(".", 1)[-1],
        notification.originator_id,
        notification.originator_version,
        notification.id,
        error[:2000],
        held,
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


async def mark_retried(conn: asyncpg.Connection, ids: Sequence[int], by: str) -> None:
    await conn.execute(
        f"UPDATE {TABLE} SET status = 'retried', resolved_by = $2, resolved_at = now() WHERE id = ANY($1)",
        list(ids),
        by,
    )
