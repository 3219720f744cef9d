"""Helpers shared by integration and e2e tests. They talk to the real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import os
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import asyncpg
import httpx
import psycopg
from aiokafka import AIOKafkaConsumer

from infra.kernel.database import PostgresAddress
from infra.kernel.settings import Settings
from infra.runtime.assembly import Runtime, running
from schemas.envelope import CloudEvent

KEYS = {
    "test-operator-key": "operator",
    "test-auditor-key": "auditor",
    "test-admin-key": "admin",
    "test-integrator-key": {
        "role": "integrator",
        "holder": "partner:test-crm",
        "scopes": ["read", "clients:write", "contracts:write"],
    },
}
OPERATOR = {"X-API-Key": "test-operator-key"}
AUDITOR = {"X-API-Key": "test-auditor-key"}
ADMIN = {"X-API-Key": "test-admin-key"}
INTEGRATOR = {"X-API-Key": "test-integrator-key"}


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(
            f"{name} is not set: run the tests with `make test`, which starts PostgreSQL and Kafka"
        )
    return value


def fresh_database(server_url: str) -> str:
    name = f"mtf_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PostgresAddress.parse(server_url).with_dbname(name).url


def fresh_settings(*, kafka: bool, **overrides: Any) -> Settings:
    tag = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        "database_url": fresh_database(required_env("MTF_DATABASE_URL")),
        "kafka_bootstrap": required_env("MTF_KAFKA_BOOTSTRAP") if kafka else None,
        "kafka_topic_prefix": f"t{tag}.",
        "consumer_group": f"mtf-projections-{tag}",
        "kafka_partitions": 3,
        "api_keys": KEYS,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def serving(
    settings: Settings, *, relay: bool = True, projector: bool = True
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    """The system on `settings` in this process, and an HTTP client of its gateway."""
    from infra.runtime.app import create_app

    async with running(settings, relay=relay, projector=projector) as runtime:
        app = create_app(settings, runtime=runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mtf") as client:
            yield runtime, client


def settings_env(settings: Settings) -> dict[str, str]:
    """The same settings as MTF_* variables, for a subprocess."""
    import orjson

    env = dict(os.environ)
    env.update(
        {
            "MTF_DATABASE_URL": settings.database_url or "",
            "MTF_KAFKA_BOOTSTRAP": settings.kafka_bootstrap or "",
            "MTF_KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix,
            "MTF_CONSUMER_GROUP": settings.consumer_group,
            "MTF_KAFKA_PARTITIONS": str(settings.kafka_partitions),
            "MTF_API_KEYS": orjson.dumps(
                settings.model_dump(mode="json", include={"api_keys"}, exclude_none=True)["api_keys"]
            ).decode(),
            "MTF_LOG_LEVEL": "warning",
        }
    )
    env.pop("MTF_CRASH_AT", None)
    return env


async def read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 20.0) -> list:
    """Reads a topic from the start with a plain aiokafka consumer until `expected` records arrive."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        # Drain briefly so a test sees duplicates beyond the count it expected.
        for part in (await consumer.getmany(timeout_ms=500)).values():
            records.extend(part)
    finally:
        await consumer.stop()
    return records


async def dump_tables(database_url: str, *tables: str) -> dict[str, list[tuple]]:
    conn = await asyncpg.connect(database_url)
    try:
        dumps = {}
        for table in tables:
            rows = await conn.fetch(f"SELECT * FROM {table}")
            dumps[table] = sorted(tuple(r.values()) for r in rows)
        return dumps
    finally:
        await conn.close()


async def eventually(probe, timeout: float = 15.0, interval: float = 0.05):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if asyncio.get_running_loop().time() >= deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def settled(database_url: str, contracts: int) -> bool:
    """True once both contract read models hold `contracts` provisioned-and-activated contracts."""
    conn = await asyncpg.connect(database_url)
    try:
        summaries = await conn.fetchval(
            "SELECT count(*) FROM readmodel.contract_summary WHERE status = 'active'"
        )
        entries = await conn.fetchval("SELECT count(*) FROM readmodel.contract_audit_trail")
    except asyncpg.UndefinedTableError:
        return False
    finally:
        await conn.close()
    return summaries == contracts and entries == 3 * contracts  # provisioned, activated, document issued


async def all_projected(database_url: str) -> bool:
    """True once every read model has applied the latest public event of every stream it follows."""
    from infra.runtime.features import PROJECTIONS
    from schemas.catalog import EVENTS

    conn = await asyncpg.connect(database_url)
    try:
        streams = await conn.fetch(
            "SELECT DISTINCT ON (originator_id) originator_id, originator_version, topic "
            "FROM eventstore.mtf_events ORDER BY originator_id, originator_version DESC"
        )
        tracked = {
            (r["projection"], r["aggregate_id"]): r["version"]
            for r in await conn.fetch(
                "SELECT projection, aggregate_id, version FROM readmodel.projection_tracking"
            )
        }
    except asyncpg.UndefinedTableError:
        return False
    finally:
        await conn.close()
    for stream in streams:
        spec = EVENTS[stream["topic"]]
        if not spec.public:
            continue
        for projection in PROJECTIONS.values():
            wanted = spec.aggregate in projection.aggregates
            if (
                wanted
                and tracked.get((projection.name, stream["originator_id"]), 0) < stream["originator_version"]
            ):
                return False
    return True


async def relay_position(pool) -> int:
    """How far the relay has delivered the log (0 before its first save)."""
    async with pool.acquire() as conn:
        return await conn.fetchval("SELECT coalesce(max(position), 0) FROM eventstore.relay_position") or 0


def handmade_event(
    aggregate_type: str,
    name: str,
    subject,
    version: int,
    position: int,
    data: dict,
    *,
    time,
    schema_version: int = 1,
) -> CloudEvent:
    """A CloudEvent as a relay would have published it, for tests that feed a projector or a topic directly."""
    return CloudEvent(
        id=f"{subject}:{version}",
        type=f"mtf.{aggregate_type}.{name}",
        subject=str(subject),
        time=time,
        dataschema=f"urn:mtf:schema:{aggregate_type}.{name}:v{schema_version}",
        data=data,
        aggregatetype=aggregate_type,
        aggregateversion=version,
        position=position,
        correlationid="c",
        causationid="c",
        actor="test",
        actorrole="operator",
    )
