"""PostgreSQL away: callers hear 503 with Retry-After at once, nothing is written, and the system
comes back by itself when the database does.

Before, a command waited 272 s for a 500 (the library's ten attempts, each waiting 30 s for a
connection), and in four runs out of five the relay never delivered again: the cancel of its
LISTEN task was swallowed by a `finally` that failed on the lost connection, and the relay waited
for that task forever."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace

import psycopg
import pytest

from infra.kernel.database import PostgresAddress
from tests.flows import random_cin, register_client
from tests.support import AUDITOR, OPERATOR, eventually, fresh_settings, required_env, serving

ANSWER_WITHIN_S = 20  # a hang (the library's ten attempts, each waiting for the pool) fails here


@contextmanager
def refusing_connections(database: str):
    """The database takes no connection, and every session on it is ended, until the block exits."""
    with psycopg.connect(required_env("MTF_DATABASE_URL"), autocommit=True) as server:
        server.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        try:
            server.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,)
            )
            yield
        finally:
            server.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')


def new_client() -> dict:
    return {
        "cin": random_cin(),
        "full_name": "Youssef Alami",
        "email": "youssef@example.ma",
        "address": "Fès",
    }


async def test_an_outage_answers_503_writes_nothing_and_is_recovered_from(any_system, caplog):
    caplog.set_level(logging.WARNING, logger="infra.messaging.relay")
    runtime, client = any_system
    known = (await register_client(client))["id"]
    head = runtime.store.head()

    with refusing_connections(PostgresAddress.parse(runtime.settings.database_url).dbname):
        answers = [
            await asyncio.wait_for(
                client.post("/api/v1/clients", json=new_client(), headers=OPERATOR), ANSWER_WITHIN_S
            ),
            await asyncio.wait_for(
                client.post("/api/v1/clients", json=new_client(), headers=OPERATOR), ANSWER_WITHIN_S
            ),
            await asyncio.wait_for(client.get(f"/api/v1/clients/{known}", headers=OPERATOR), ANSWER_WITHIN_S),
        ]
        readiness = await asyncio.wait_for(client.get("/ready"), ANSWER_WITHIN_S)
    assert readiness.status_code == 503 and readiness.json()["checks"]["database"]["ok"] is False
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "database_unavailable"
        assert answer.headers["retry-after"] == "2"

    assert runtime.store.head() == head  # neither refused command appended anything
    after = await client.post("/api/v1/clients", json=new_client(), headers=OPERATOR)
    assert after.status_code == 201

    async def projected() -> bool:  # the relay and the projections work again, whichever way events flow
        for client_id in (known, after.json()["id"]):
            if (await client.get(f"/api/v1/clients/{client_id}", headers=OPERATOR)).status_code != 200:
                return False
        return True

    assert await eventually(projected, timeout=30)

    # The relay retries every second while the database is away; a traceback each time would bury the log.
    tracebacks = Counter(r.msg for r in caplog.records if r.name == "infra.messaging.relay" and r.exc_info)
    assert tracebacks and max(tracebacks.values()) == 1, tracebacks


async def test_a_vanished_unix_socket_answers_503(tmp_path):
    """PostgreSQL stopped removes its Unix socket; a reconnect then fails with a bare FileNotFoundError."""
    settings = fresh_settings(kafka=False)
    server = PostgresAddress.parse(settings.database_url)
    if not server.host.startswith("/"):
        pytest.fail("this test needs the test PostgreSQL on a Unix socket, as `make test` starts it")
    socket = f".s.PGSQL.{server.port}"
    (tmp_path / socket).symlink_to(f"{server.host}/{socket}")
    settings = settings.model_copy(update={"database_url": replace(server, host=str(tmp_path)).url})
    async with serving(settings, relay=False, projector=False) as (_, client):
        known = (await register_client(client))["id"]
        (tmp_path / socket).unlink()
        with refusing_connections(server.dbname):
            pass  # ends every session; new ones find no socket
        for _ in range(
            4
        ):  # the first meet sessions that were ended; the next ones connect anew, to no socket
            answer = await asyncio.wait_for(
                client.get(f"/api/v1/clients/{known}", headers=OPERATOR), ANSWER_WITHIN_S
            )
            assert answer.status_code == 503 and answer.json()["error"]["code"] == "database_unavailable", (
                answer.text
            )


async def test_after_a_restart_the_stale_pooled_connections_cost_one_503_not_one_each():
    """A restart ends every pooled connection at once. Statements the event store does not send
    again (the event history here) met them one request at a time: up to ten 503s in a row."""
    settings = fresh_settings(kafka=False)
    async with serving(settings, relay=False, projector=False) as (runtime, client):
        known = (await register_client(client))["id"]
        history = f"/api/v1/event-history/{known}"
        assert (await client.get(history, headers=AUDITOR)).status_code == 200
        with refusing_connections(PostgresAddress.parse(settings.database_url).dbname):
            pass  # ends every session, as a restart does
        statuses = []
        for _ in range(6):
            statuses.append(
                (await asyncio.wait_for(client.get(history, headers=AUDITOR), ANSWER_WITHIN_S)).status_code
            )
            await asyncio.sleep(0.3)  # the pool's check of its idle connections runs beside the answers
        assert statuses.count(503) <= 1 and statuses[-1] == 200, statuses
