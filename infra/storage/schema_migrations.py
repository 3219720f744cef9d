"""Versioned migrations of the tables outside the event log that no replay can rebuild.

The relay's position, issued documents, the landing's signing key, attempts, challenges and drafts, and the
notifications outbox change only through the numbered SQL files in `migrations/`, applied in order by
yoyo-migrations, each once per database, its id recorded in `schema_migrations._yoyo_migration`. A change
is a new file, never an edit of an applied one. Read models are not here: they are rebuilt from the log
when their version changes (projections/versions.py).

The caller holds the start-up advisory lock, so concurrent processes apply each migration once; yoyo's
own lock (a table row that a killed process would leave behind) is not used.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from yoyo import read_migrations
from yoyo.backends.core.postgresql import PostgresqlPsycopgBackend
from yoyo.connections import parse_uri

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA = "schema_migrations"  # yoyo's bookkeeping tables


class _Backend(PostgresqlPsycopgBackend):
    """yoyo's PostgreSQL backend without the probes that write ERROR lines to the server's log at every
    start: it created its lock table whether or not it existed, and dropped a table that did not exist to
    learn whether DDL is transactional (it is, in PostgreSQL). The lock table is still made, once: yoyo
    takes it while it creates its own bookkeeping tables."""

    create_lock_table_sql = PostgresqlPsycopgBackend.create_lock_table_sql.replace(
        "CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1
    )

    def init_database(self) -> None:
        self.has_transactional_ddl = True
        self.create_lock_table()


def get_backend(url: str) -> _Backend:
    backend = _Backend(parse_uri(url), "_yoyo_migration")
    backend.init_database()
    return backend


def apply_migrations(database_url: str) -> list[str]:
    """Applies the migrations this database has not had yet; returns their ids, in order."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    backend = get_backend(yoyo_url(database_url))
    try:
        pending = backend.to_apply(read_migrations(str(MIGRATIONS)))
        backend.apply_migrations(pending)
        return [migration.id for migration in pending]
    finally:
        backend.connection.close()


def applied_migrations(database_url: str) -> list[str]:
    """The ids of the migrations this database has had, in file order (the order they are applied in)."""
    backend = get_backend(yoyo_url(database_url))
    try:
        return [
            m.id for m in read_migrations(str(MIGRATIONS)) if m.hash in backend.get_applied_migration_hashes()
        ]
    finally:
        backend.connection.close()


def yoyo_url(database_url: str) -> str:
    """The database URL as yoyo takes it: its psycopg 3 backend, its tables in their own schema, and every
    connection parameter of the original (sslmode, host for a socket directory) kept."""
    parts = urlsplit(database_url)
    query = "&".join(q for q in (parts.query, f"schema={SCHEMA}") if q)
    return urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, query, parts.fragment))
