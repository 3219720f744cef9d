"""A database not encoded in UTF8 is refused at start, with the fix in the message, before anything is written."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from infra.kernel.database import PostgresAddress, UnsupportedDatabase
from infra.kernel.settings import Settings
from infra.runtime.assembly import running
from tests.support import KEYS, required_env


def _sql_ascii_database(server_url: str, name: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
        )
    return PostgresAddress.parse(server_url).with_dbname(name).url


async def test_a_sql_ascii_database_is_refused_before_anything_is_written():
    name = f"mtf_test_ascii_{uuid.uuid4().hex[:12]}"
    url = _sql_ascii_database(required_env("MTF_DATABASE_URL"), name)
    try:
        settings = Settings(_env_file=None, database_url=url, kafka_bootstrap=None, api_keys=KEYS)
        with pytest.raises(UnsupportedDatabase, match="encoded SQL_ASCII; MT-Facturation needs UTF8"):
            async with running(settings, relay=True, projector=True):
                pass
        with psycopg.connect(url) as conn:
            schemas = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname = 'eventstore'").fetchall()
        assert schemas == []
    finally:
        with psycopg.connect(required_env("MTF_DATABASE_URL"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
