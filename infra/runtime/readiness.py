"""Whether a process can do its job, by the roles it has: every process needs PostgreSQL; a relay also
needs the broker and a relay lag within bounds; a projection consumer needs the broker. A gateway alone is
ready with PostgreSQL alone, since the log is its outbox: it takes commands while Kafka is away.
Checks a role does not need are still reported, marked `"required": false`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from infra.eventstore.store import EVENTS_TABLE, SCHEMA
from infra.kernel import metrics
from infra.messaging.relay import LEADING_BACKENDS
from projections import dead_letters, invoice_register, receivables_aging
from projections.base import SCHEMA as READ_SCHEMA

BROKER_TIMEOUT_S = 3


async def readiness(runtime: Any) -> tuple[bool, dict[str, dict]]:
    """Whether every check this process's roles require passed, and the report of every check."""
    checks, _ = await _database_checks(runtime)
    checks["broker"] = await _broker_check(runtime)
    required = [c for c in checks.values() if c.get("required", True)]
    return all(c["ok"] for c in required), checks


async def observe(runtime: Any) -> None:
    """Sets the metrics' gauges from the database (the same reads as readiness, without the broker)."""
    checks, parked = await _database_checks(runtime)
    if not checks["database"]["ok"]:
        return
    metrics.observe(checks["relay"]["lag"], checks["projections"]["lag"], parked)
    try:
        async with runtime.pool.acquire() as conn:
            backlog = await invoice_register.documents_backlog(conn)
            owed = await receivables_aging.portfolio_buckets(conn, runtime.clock.today())
    except Exception:  # noqa: BLE001 - a scrape reports what it could read
        return
    metrics.observe_business(backlog, owed)


async def _database_checks(runtime: Any) -> tuple[dict[str, dict], dict[str, int]]:
    """The checks read from the database, and the parked dead letters by consumer they were made from."""
    relays = "relay" in runtime.roles
    try:
        async with runtime.pool.acquire() as conn:
            head = await asyncio.wait_for(
                conn.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}"), 2
            )
            relayed = await conn.fetchval(f"SELECT coalesce(max(position), 0) FROM {SCHEMA}.relay_position")
            leading = await conn.fetchval(f"SELECT EXISTS ({LEADING_BACKENDS})")
            progress = dict(
                await conn.fetch(f"SELECT projection, position FROM {READ_SCHEMA}.projection_progress")
            )
            parked = await dead_letters.parked_counts(conn)
    except Exception as error:  # noqa: BLE001 - readiness reports, it does not raise
        return {"database": {"ok": False, "error": type(error).__name__}}, {}
    relay_lag = head - relayed
    relay = {
        "ok": relay_lag <= runtime.settings.ready_max_relay_lag,
        "lag": relay_lag,
        "leading": leading,
        "parked": sum(n for consumer, n in parked.items() if consumer.startswith("relay:")),
    }
    if not relays:  # reported for the operator; commands piling up are the relay processes' readiness
        relay = {**relay, "ok": True, "required": False}
    checks = {
        "database": {"ok": True},
        "relay": relay,
        "projections": {
            # Parked events do not make a process unready (restarting it would not help); they are
            # reported here and listed at GET /api/v1/dead-letters.
            "ok": True,
            "lag": {p.name: max(0, head - progress.get(p.name, 0)) for p in runtime.projector.projections},
            "parked": {
                p.name: parked[dead_letters.consumer_of(p)]
                for p in runtime.projector.projections
                if dead_letters.consumer_of(p) in parked
            },
        },
    }
    return checks, parked


async def _broker_check(runtime: Any) -> dict:
    settings = runtime.settings
    if not settings.kafka_bootstrap:
        return {"ok": True, "mode": "in-process"}
    report: dict[str, Any] = {"mode": "kafka"}
    links = {role: connected() for role, connected in runtime.broker_links.items()}
    if links:
        report["connected"] = links
    else:
        report["required"] = False
    reached = await _reachable(settings)
    if reached is not None:
        report["error"] = reached
    report["ok"] = reached is None and all(links.values())
    return report


async def _reachable(settings: Any) -> str | None:
    """None if the broker answers a metadata request within the timeout; else the error's name."""
    from aiokafka.admin import AIOKafkaAdminClient

    from infra.messaging.kafka_security import client_options

    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=2000, **client_options(settings)
    )
    try:
        await asyncio.wait_for(admin.start(), BROKER_TIMEOUT_S)
        await asyncio.wait_for(admin.list_topics(), BROKER_TIMEOUT_S)
        return None
    except Exception as error:  # noqa: BLE001
        return type(error).__name__
    finally:
        await admin.close()
