"""The one way read models answer a filtered, paginated list query."""

from __future__ import annotations

from typing import Any, Sequence

import asyncpg


async def filtered_page(
    conn: asyncpg.Connection,
    table: str,
    *,
    equals: dict[str, Any],
    order_by: str,
    limit: int,
    offset: int,
    conditions: Sequence[tuple[str, Any]] = (),
) -> tuple[list[asyncpg.Record], int]:
    """Rows matching every non-None `equals` filter and every (sql, value) condition, plus the total.

    A condition's SQL names its parameter `{}`, e.g. ("lower(full_name) LIKE {}", "%ali%").
    """
    where, args = ["TRUE"], []
    for column, value in equals.items():
        if value is not None:
            args.append(value)
            where.append(f"{column} = ${len(args)}")
    for sql, value in conditions:
        args.append(value)
        where.append(sql.replace("{}", f"${len(args)}"))
    condition = " AND ".join(where)
    total = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {condition}", *args)
    rows = await conn.fetch(
        f"SELECT * FROM {table} WHERE {condition} ORDER BY {order_by} LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
        *args,
        limit,
        offset,
    )
    return rows, total
