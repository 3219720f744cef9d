"""Read models: what is in the catalog, and what did each version of an offer say?"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from projections.base import SCHEMA, Projection
from projections.paging import filtered_page
from schemas.envelope import CloudEvent

NAME = "offer_catalog"
CATALOG = f"{SCHEMA}.offer_catalog"
VERSIONS = f"{SCHEMA}.offer_versions"

DDL = f"""
CREATE TABLE IF NOT EXISTS {CATALOG} (
    offer_id       uuid PRIMARY KEY,
    service        text NOT NULL,
    family         text NOT NULL,
    name           text NOT NULL,
    monthly_fee    numeric(12, 2) NOT NULL,
    activation_fee numeric(12, 2) NOT NULL,
    components     jsonb NOT NULL,
    valid_from     date,
    valid_to       date,
    status         text NOT NULL,
    terms_version  int NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS offer_catalog_tiers ON {CATALOG} (service, family, monthly_fee);
CREATE TABLE IF NOT EXISTS {VERSIONS} (
    offer_id       uuid NOT NULL,
    terms_version  int NOT NULL,
    name           text NOT NULL,
    family         text NOT NULL,
    monthly_fee    numeric(12, 2) NOT NULL,
    activation_fee numeric(12, 2) NOT NULL,
    components     jsonb NOT NULL,
    valid_from     date,
    valid_to       date,
    recorded_at    timestamptz NOT NULL,
    PRIMARY KEY (offer_id, terms_version)
);
"""

_TERMS = ("name", "family", "monthly_fee", "activation_fee", "components", "valid_from", "valid_to")


def _terms(data: dict[str, Any]) -> list[Any]:
    return [
        data["name"],
        data["family"],
        Decimal(data["monthly_fee"]),
        Decimal(data["activation_fee"]),
        orjson.dumps(data["components"]).decode(),
        date.fromisoformat(data["valid_from"]) if data["valid_from"] else None,
        date.fromisoformat(data["valid_to"]) if data["valid_to"] else None,
    ]


async def _add_version(conn: asyncpg.Connection, event: CloudEvent, version: int) -> None:
    await conn.execute(
        f"INSERT INTO {VERSIONS} (offer_id, terms_version, {', '.join(_TERMS)}, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        event.aggregate_id,
        version,
        *_terms(event.data),
        event.time,
    )


async def on_created(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"INSERT INTO {CATALOG} (offer_id, service, {', '.join(_TERMS)}, status, terms_version, created_at, "
        "updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', 1, $10, $10)",
        event.aggregate_id,
        event.data["service"],
        *_terms(event.data),
        event.time,
    )
    await _add_version(conn, event, 1)


async def on_updated(conn: asyncpg.Connection, event: CloudEvent) -> None:
    version = event.data["terms_version"]
    await conn.execute(
        f"UPDATE {CATALOG} SET name = $2, family = $3, monthly_fee = $4, activation_fee = $5, components = $6, "
        "valid_from = $7, valid_to = $8, terms_version = $9, updated_at = $10 WHERE offer_id = $1",
        event.aggregate_id,
        *_terms(event.data),
        version,
        event.time,
    )
    await _add_version(conn, event, version)


async def on_retired(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(
        f"UPDATE {CATALOG} SET status = 'retired', updated_at = $2 WHERE offer_id = $1",
        event.aggregate_id,
        event.time,
    )


async def on_deleted(conn: asyncpg.Connection, event: CloudEvent) -> None:
    await conn.execute(f"DELETE FROM {CATALOG} WHERE offer_id = $1", event.aggregate_id)
    await conn.execute(f"DELETE FROM {VERSIONS} WHERE offer_id = $1", event.aggregate_id)


PROJECTION = Projection(
    name=NAME,
    aggregates=("offer",),
    ddl=DDL,
    tables=(CATALOG, VERSIONS),
    handlers={
        "OfferCreated": on_created,
        "OfferUpdated": on_updated,
        "OfferRetired": on_retired,
        "OfferDeleted": on_deleted,
    },
)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    row["components"] = orjson.loads(row["components"])
    return row


async def find(conn: asyncpg.Connection, offer_id: UUID) -> dict[str, Any] | None:
    record = await conn.fetchrow(f"SELECT * FROM {CATALOG} WHERE offer_id = $1", offer_id)
    return _row(record) if record else None


async def search(
    conn: asyncpg.Connection,
    *,
    service=None,
    family=None,
    status=None,
    sellable_on: date | None = None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    conditions = []
    if sellable_on is not None:
        conditions.append(
            (
                "status = 'active' AND (valid_from IS NULL OR valid_from <= {}) AND (valid_to IS NULL OR {} "
                "<= valid_to)",
                sellable_on,
            )
        )
    rows, total = await filtered_page(
        conn,
        CATALOG,
        equals={"service": service, "family": family, "status": status},
        conditions=conditions,
        order_by="service, family, monthly_fee, name, offer_id",
        limit=limit,
        offset=offset,
    )
    return [_row(r) for r in rows], total


async def versions(conn: asyncpg.Connection, offer_id: UUID) -> list[dict[str, Any]]:
    records = await conn.fetch(
        f"SELECT * FROM {VERSIONS} WHERE offer_id = $1 ORDER BY terms_version", offer_id
    )
    return [_row(r) for r in records]


async def categories(conn: asyncpg.Connection, status: str | None) -> list[dict[str, Any]]:
    """Offers by service, services by family, and tiers within a service ordered by monthly fee."""
    records = await conn.fetch(
        f"SELECT * FROM {CATALOG} WHERE ($1::text IS NULL OR status = $1) ORDER BY service, monthly_fee, "
        "name, offer_id",
        status,
    )
    services: dict[str, dict[str, Any]] = {}
    for record in records:
        row = _row(record)
        service = services.setdefault(
            row["service"], {"service": row["service"], "tiers": [], "families": {}}
        )
        row["tier"] = len(service["tiers"]) + 1
        service["tiers"].append(row)
        service["families"].setdefault(row["family"], []).append(row)
    return [
        {
            "service": s["service"],
            "tiers": s["tiers"],
            "families": [{"family": f, "offers": offers} for f, offers in sorted(s["families"].items())],
        }
        for s in services.values()
    ]
