"""Each read model's version, recorded when its tables are built.

A read model's tables are derived data: when its code changes what they hold (a column, an index, what a
handler writes), its `version` goes up, and the first process to start rebuilds it from the event log
(`projections/replay.py`) instead of altering the tables in place. A read model with no recorded version
(new, or built before versions were recorded) is rebuilt the same way.
"""

from __future__ import annotations

from typing import Iterable

import asyncpg

from projections.base import SCHEMA, Projection

TABLE = f"{SCHEMA}.read_model_versions"
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    projection text PRIMARY KEY,
    version    int  NOT NULL
);
"""


async def stale(conn: asyncpg.Connection, projections: Iterable[Projection]) -> list[Projection]:
    """The read models whose recorded version is not the one their code declares (or none is recorded)."""
    recorded = dict(await conn.fetch(f"SELECT projection, version FROM {TABLE}"))
    return [p for p in projections if recorded.get(p.name) != p.version]


async def record(conn: asyncpg.Connection, projections: Iterable[Projection]) -> None:
    """Records each read model's version, in the transaction that built its tables."""
    built = [(p.name, p.version) for p in projections]
    await conn.executemany(
        f"INSERT INTO {TABLE} (projection, version) VALUES ($1, $2) "
        "ON CONFLICT (projection) DO UPDATE SET version = excluded.version",
        built,
    )
