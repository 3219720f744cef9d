"""How the database follows the code: numbered migrations for the tables the log cannot rebuild, and a rebuild
from the log for a read model whose version changed. On the real PostgreSQL, through the start-up path."""

from __future__ import annotations

import asyncio
import dataclasses

import asyncpg

from infra.runtime.assembly import migrate_all, running
from infra.runtime.features import PROJECTIONS
from infra.storage.schema_migrations import MIGRATIONS, applied_migrations, apply_migrations
from projections import client_directory, contract_summary, versions
from tests.flows import new_contract
from tests.support import OPERATOR, fresh_settings, serving

EVERY_MIGRATION = sorted(path.stem for path in MIGRATIONS.glob("*.sql"))


async def test_a_new_database_gets_every_migration_once_and_every_read_model_recorded():
    settings = fresh_settings(kafka=False)
    async with running(settings, relay=False, projector=False):
        pass
    assert await asyncio.to_thread(applied_migrations, settings.database_url) == EVERY_MIGRATION
    assert await asyncio.to_thread(apply_migrations, settings.database_url) == []
    conn = await asyncpg.connect(settings.database_url)
    try:
        recorded = dict(await conn.fetch(f"SELECT projection, version FROM {versions.TABLE}"))
        assert recorded == {name: p.version for name, p in PROJECTIONS.items()}
        for table in ("eventstore.relay_position", "documents.invoice_documents", "landing.drafts"):
            assert await conn.fetchval("SELECT to_regclass($1)", table) is not None, table
    finally:
        await conn.close()


async def test_a_changed_version_rebuilds_that_read_model_from_the_log_and_leaves_the_others():
    settings = fresh_settings(kafka=False)
    async with serving(settings) as (runtime, client):
        created = await new_contract(client)
        await client.get(
            f"/api/v1/contracts/{created['id']}",
            params={"consistency_token": created["position"]},
            headers=OPERATOR,
        )
        async with runtime.pool.acquire() as conn:
            # What a changed read model's old tables may hold: rows the new code would not write.
            await conn.execute(f"UPDATE {client_directory.TABLE} SET full_name = 'stale'")
            await conn.execute(f"DELETE FROM {contract_summary.TABLE}")  # an unchanged one: left alone
        changed = dataclasses.replace(
            client_directory.PROJECTION, version=client_directory.PROJECTION.version + 1
        )
        projections = [changed if p.name == changed.name else p for p in PROJECTIONS.values()]

        await migrate_all(runtime.pool, runtime.store, settings.database_url, projections)

        async with runtime.pool.acquire() as conn:
            names = [
                r["full_name"] for r in await conn.fetch(f"SELECT full_name FROM {client_directory.TABLE}")
            ]
            assert names == ["Amina Benali"]  # rebuilt from ClientRegistered
            assert await conn.fetchval(f"SELECT count(*) FROM {contract_summary.TABLE}") == 0
            recorded = await conn.fetchval(
                f"SELECT version FROM {versions.TABLE} WHERE projection = $1", changed.name
            )
            assert recorded == changed.version
            assert await versions.stale(conn, projections) == []


async def test_read_models_built_before_versions_were_recorded_are_rebuilt_once():
    settings = fresh_settings(kafka=False)
    async with serving(settings) as (runtime, client):
        created = await new_contract(client)
        async with runtime.pool.acquire() as conn:
            await conn.execute(f"DROP TABLE {versions.TABLE}")  # a database from before versions
            await conn.execute(f"DELETE FROM {contract_summary.TABLE}")

        await migrate_all(runtime.pool, runtime.store, settings.database_url)

        async with runtime.pool.acquire() as conn:
            rebuilt = await conn.fetchval(
                f"SELECT status FROM {contract_summary.TABLE} WHERE contract_id = $1", created["id"]
            )
            assert rebuilt == "active"
            assert await versions.stale(conn, PROJECTIONS.values()) == []


async def test_processes_starting_together_migrate_once():
    settings = fresh_settings(kafka=False)

    async def start() -> None:
        async with running(settings, relay=False, projector=False):
            pass

    await asyncio.gather(*(start() for _ in range(3)))
    assert await asyncio.to_thread(applied_migrations, settings.database_url) == EVERY_MIGRATION
