"""The notification log is a safe outbox: appends are serialised, so ids become visible in order."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg

from commands.clients import RegisterClient, register_client
from infra.eventstore.store import (
    APP_NAME,
    APPEND_LOCK,
    INSERT_FUNCTION,
    SCHEMA,
    OrderedInsertRecorder,
    open_event_store,
)
from infra.kernel.command_context import CommandContext
from tests.support import fresh_settings

CTX = CommandContext(actor="test", role="operator")


def test_event_store_uses_the_ordered_insert_function():
    store = open_event_store(fresh_settings(kafka=False).database_url)
    try:
        assert isinstance(store.recorder, OrderedInsertRecorder)
        with psycopg.connect(store.database_url) as conn:
            body = conn.execute(
                "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = %s AND p.proname = %s",
                (SCHEMA, INSERT_FUNCTION),
            ).fetchone()[0]
        assert f"pg_advisory_xact_lock({APPEND_LOCK})" in body
    finally:
        store.close()


def _register(store, cin: str, finished: threading.Event) -> None:
    register_client(store, RegisterClient(cin=cin, full_name="A", email="a@b.ma", address="x"), CTX)
    finished.set()


def test_an_append_waits_while_an_earlier_append_is_uncommitted():
    """Without the lock, the later append would commit a higher id first: the relay's hazard."""
    settings = fresh_settings(kafka=False)
    store = open_event_store(settings.database_url)
    try:
        holder = psycopg.connect(settings.database_url)
        holder.execute(  # an earlier append that has taken its id but not committed yet
            f"SELECT * FROM {SCHEMA}.{INSERT_FUNCTION}"
            "(%s::uuid[], '{1}', '{in.flight:Event}', '\\x7b7d', '{1}', '{2}')",
            ("{" + str(uuid.uuid4()) + "}",),
        )
        finished = threading.Event()
        writer = threading.Thread(target=_register, args=(store, "GH123456", finished))
        writer.start()
        time.sleep(0.5)
        assert not finished.is_set(), "a second append must not pass an uncommitted one"
        holder.rollback()
        writer.join(10)
        assert finished.is_set()
        holder.close()
    finally:
        store.close()


def test_appends_go_on_while_the_events_table_is_vacuumed_or_analysed():
    """VACUUM and ANALYZE hold SHARE UPDATE EXCLUSIVE on the table; a table lock taken by appends
    would queue every command behind them."""
    settings = fresh_settings(kafka=False)
    store = open_event_store(settings.database_url)
    try:
        vacuum = psycopg.connect(settings.database_url)
        vacuum.execute(f"LOCK TABLE {SCHEMA}.{APP_NAME}_events IN SHARE UPDATE EXCLUSIVE MODE")
        finished = threading.Event()
        writer = threading.Thread(target=_register, args=(store, "GH654321", finished))
        writer.start()
        writer.join(5)
        assert finished.is_set(), "an append waited for the vacuum's lock"
        vacuum.rollback()
        vacuum.close()
    finally:
        store.close()
