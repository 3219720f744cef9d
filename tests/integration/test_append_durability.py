"""An acknowledged append survives a crash of PostgreSQL.

The test crashes a PostgreSQL of its own (an immediate shutdown: nothing more is written) right
after the last append returned, and expects every acknowledged event after recovery. Appends
committed without waiting for the WAL flush (`synchronous_commit = off`) lost 25 of 60 here."""

from __future__ import annotations

from pathlib import Path

import psycopg

from domain.client import Client
from infra.devstack.embedded_postgres import EmbeddedPostgres
from infra.eventstore.store import EVENTS_TABLE, open_event_store
from infra.kernel.command_context import CommandContext

APPENDS = 60


def test_every_acknowledged_append_is_there_after_a_crash(tmp_path: Path):
    postgres = EmbeddedPostgres(tmp_path / "pgdata")
    url = postgres.start()
    try:
        store = open_event_store(url)
        ctx = CommandContext(actor="test", role="operator")
        acknowledged = []
        for n in range(APPENDS):
            client = Client(
                cin=f"DU{100000 + n}", full_name="Durable", email="d@example.ma", address="Rabat", phone=None
            )
            store.save_as(ctx, client)
            acknowledged.append(client.id)
        postgres.crash()
        store.close()

        with psycopg.connect(postgres.restart()) as conn:
            found = {row[0] for row in conn.execute(f"SELECT originator_id FROM {EVENTS_TABLE}")}
        assert [i for i in acknowledged if i not in found] == []
    finally:
        postgres.stop()
