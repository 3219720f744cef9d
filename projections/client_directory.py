"""Read model: who are our clients, and how do we reach them?"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from infra.eventstore.personal_data import opened_fields
from infra.eventstore.store import EVENTS_TABLE
from projections import contract_summary
from projections.base import SCHEMA, Projection, gathered
from projections.paging import filtered_page
from schemas.envelope import CloudEvent, OpenedCloudEvent

NAME = "client_directory"
TABLE = f"{SCHEMA}.client_directory"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    client_id      uuid PRIMARY KEY,
    cin            text NOT NULL,
    full_name      text NOT NULL,
    email          text NOT NULL,
    address        text NOT NULL,
    phone          text,
    status         text NOT NULL,
    contract_count int NOT NULL,
    registered_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    delinquent     boolean NOT NULL DEFAULT false,
    language       text NOT NULL DEFAULT 'fr',
    ice            text,
    brought_by     text,
    status_reason_code text
);
CREATE INDEX IF NOT EXISTS client_directory_name ON {TABLE} (lower(full_name));
CREATE INDEX IF NOT EXISTS client_directory_cin ON {TABLE} (cin);
"""


async def _personal(conn: asyncpg.Connection, event: CloudEvent) -> dict[str, Any]:
    """The event with its personal fields in full (the read model holds them for the operator's search and
    view): as this process opened them when it read the log (in-process delivery, replay), or, for an event
    that came from Kafka masked, opened from the event store."""
    if isinstance(event, OpenedCloudEvent):
        return {**event.data, **event.personal}
    opened = await opened_fields(conn, EVENTS_TABLE, event.aggregate_id, event.aggregateversion)
    return {**event.data, **opened}


async def on_registered(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = await _personal(conn, event)
    await conn.execute(
        f"INSERT INTO {TABLE} (client_id, cin, full_name, email, address, phone, status, contract_count, "
        "registered_at, updated_at, "
        "language, ice, brought_by) VALUES ($1, $2, $3, $4, $5, $6, 'active', 0, $7, $7, $8, $9, $10)",
        event.aggregate_id,
        d["cin"],
        d["full_name"],
        d["email"],
        d["address"],
        d["phone"],
        event.time,
        d.get("language", "fr"),
        d.get("ice"),
        d.get("brought_by"),
    )


async def on_details_updated(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = await _personal(conn, event)
    await conn.execute(
        f"UPDATE {TABLE} SET full_name = $2, email = $3, address = $4, phone = $5, updated_at = $6, language "
        "= $7, ice = $8 "
        "WHERE client_id = $1",
        event.aggregate_id,
        d["full_name"],
        d["email"],
        d["address"],
        d["phone"],
        event.time,
        d.get("language", "fr"),
        d.get("ice"),
    )


async def on_status_changed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"UPDATE {TABLE} SET status = $2, updated_at = $3, status_reason_code = $4 WHERE client_id = $1",
        event.aggregate_id,
        event.data["status"],
        event.time,
        event.data["reason_code"],
    )


async def on_contract_added(conn: asyncpg.Connection, event: CloudEvent) -> None:
    """Counted at the end of the batch (`_count_contracts`): one pipelined update per batch instead of
    a round trip per contract. A count commutes with the other handlers' changes to the row."""
    added = gathered(NAME)
    count, latest = added.get(event.aggregate_id, (0, event.time))
    added[event.aggregate_id] = (count + 1, max(latest, event.time))


async def _count_contracts(conn: asyncpg.Connection, added: dict[UUID, tuple[int, Any]]) -> None:
    await conn.executemany(
        f"UPDATE {TABLE} SET contract_count = contract_count + $2, updated_at = GREATEST(updated_at, $3) "
        "WHERE client_id = $1",
        [(client_id, count, latest) for client_id, (count, latest) in sorted(added.items())],
    )


async def on_erased(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(f"DELETE FROM {TABLE} WHERE client_id = $1", event.aggregate_id)


def _delinquency(flag: bool):
    """Collections sets the flag; the event names the client in its payload (its subject is the collections record)."""

    async def handle(conn: asyncpg.Connection, event: CloudEvent) -> None:
        await conn.execute(
            f"UPDATE {TABLE} SET delinquent = $2, updated_at = $3 WHERE client_id = $1",
            UUID(event.data["client_id"]),
            flag,
            event.time,
        )

    return handle


PROJECTION = Projection(
    name=NAME,
    aggregates=("client", "collections"),
    ddl=DDL,
    tables=(TABLE,),
    handlers={
        "ClientRegistered": on_registered,
        "ClientDetailsUpdated": on_details_updated,
        "ClientStatusChanged": on_status_changed,
        "ClientContractAdded": on_contract_added,
        "ClientErased": on_erased,
        "ClientMarkedDelinquent": _delinquency(True),
        "ClientDelinquencyCleared": _delinquency(False),
    },
    flush=_count_contracts,
    version=3,  # 2: brought_by; 3: status_reason_code
)


async def find(conn: asyncpg.Connection, client_id: UUID) -> dict[str, Any] | None:
    record = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE client_id = $1", client_id)
    return dict(record) if record else None


async def phones_on_file(conn: asyncpg.Connection, cin: str) -> list[asyncpg.Record]:
    """The numbers a self-service visitor may receive a one-time code on: the client's lines that are not
    terminated (a released number may be someone else's now) and its contact phone, with its client_id. One
    query whether the CIN is on file or not, so an unknown CIN takes as long as a wrong number."""
    return await conn.fetch(
        f"""SELECT d.client_id, s.number FROM {TABLE} d JOIN {contract_summary.TABLE} s ON s.client_id = d.client_id
                WHERE d.cin = $1 AND s.status <> 'terminated'
            UNION ALL SELECT client_id, phone FROM {TABLE} WHERE cin = $1 AND phone IS NOT NULL""",
        cin,
    )


async def search(
    conn: asyncpg.Connection, *, status=None, cin=None, name=None, brought_by=None, limit: int, offset: int
):
    conditions = [("lower(full_name) LIKE {}", f"%{name.lower()}%")] if name is not None else []
    rows, total = await filtered_page(
        conn,
        TABLE,
        equals={"status": status, "cin": cin, "brought_by": brought_by},
        conditions=conditions,
        order_by="full_name, client_id",
        limit=limit,
        offset=offset,
    )
    return [dict(r) for r in rows], total
