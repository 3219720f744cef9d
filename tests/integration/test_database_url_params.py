"""Every parameter of MTF_DATABASE_URL reaches every connection: the event store's pool used to rebuild
the URL from host, port, user, password and database, dropping `sslmode` and the rest. Shown with
`application_name`, which PostgreSQL reports for each session (the embedded server listens on a Unix
socket only, where TLS does not apply, so `sslmode` itself is not exercised here)."""

from __future__ import annotations

import asyncpg

from infra.eventstore.store import open_event_store
from tests.support import fresh_settings


async def test_the_event_store_connects_with_every_parameter_of_the_url():
    base = fresh_settings(kafka=False).database_url
    url = f"{base}&application_name=mtf-param-check"
    store = open_event_store(url)
    try:
        assert store.head() == 0  # a pooled connection of the event store, opened from the URL
        conn = await asyncpg.connect(base)
        try:
            names = await conn.fetch(
                "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        finally:
            await conn.close()
    finally:
        store.close()
    assert "mtf-param-check" in {r["application_name"] for r in names}
