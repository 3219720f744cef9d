"""Erasing a client destroys its data key: its personal data is unreadable everywhere we control, its
financial history stays whole. Real PostgreSQL and a real Kafka broker."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from uuid import UUID

import asyncpg
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from infra.runtime.features import PROJECTIONS
from infra.storage import landing_drafts
from infra.storage.schema_migrations import apply_migrations
from schemas.catalog import AGGREGATES
from schemas.personal_data import PII_TOPIC_NAME
from tests.billing_flows import act, billed, billing_system, contract, offer
from tests.processes import run_to_exit
from tests.support import (
    AUDITOR,
    OPERATOR,
    dump_tables,
    eventually,
    fresh_database,
    required_env,
    settings_env,
)

TARGET = {
    "cin": "ZX 987654",
    "full_name": "Yasmine Erasure-Target",
    "email": "yasmine.target@example.ma",
    "address": "77 Avenue Oubliee, Agadir",
    "phone": "+212698765432",
}
TRACES = [b"ZX987654", b"Yasmine", b"yasmine.target", b"Oubliee", b"698765432"]
READ_MODEL_TABLES = [t for p in PROJECTIONS.values() for t in p.tables]


async def _records(bootstrap: str, topic: str) -> list:
    """Every record of a topic, from the beginning."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return []
        ends = await consumer.end_offsets(partitions)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records = []
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def _stored_text(database_url: str) -> bytes:
    """Every event's stored state, every read model row, and the tables outside the log that name people."""
    return b"\n".join((await _stored(database_url)).values())


async def _stored(database_url: str) -> dict[str, bytes]:
    conn = await asyncpg.connect(database_url)
    try:
        events = [bytes(r["state"]) for r in await conn.fetch("SELECT state FROM eventstore.mtf_events")]
        rows = []
        for table in (*READ_MODEL_TABLES, landing_drafts.TABLE, "notifications.outbox"):
            rows.extend(str(tuple(r.values())).encode() for r in await conn.fetch(f"SELECT * FROM {table}"))
        pdfs = []
        for table in ("documents.invoice_documents", "documents.contract_documents"):
            pdfs.extend(bytes(r["pdf"] or b"") for r in await conn.fetch(f"SELECT pdf FROM {table}"))
        return {"events": b"\n".join(events), "rows": b"\n".join(rows), "pdfs": b"\n".join(pdfs)}
    finally:
        await conn.close()


def _found(traces: list[bytes], text: bytes) -> list[bytes]:
    return [t for t in traces if t in text]


async def _save_draft(client, **typed) -> str:
    saved = await client.post("/api/v1/landing/drafts", json={"step": 3, "service": "mobile", **typed})
    assert saved.status_code == 201, saved.text
    return saved.json()["token"]


async def _draft_kept(client, token: str) -> bool:
    return (await client.get("/api/v1/landing/draft", headers={"X-Draft-Token": token})).status_code == 200


async def _erase(client, client_id: str, expected: int = 200) -> dict:
    response = await client.delete(f"/api/v1/clients/{client_id}", headers=OPERATOR)
    assert response.status_code == expected, response.text
    return response.json()


async def _money(client, client_id: str, day: date) -> tuple:
    invoices = await client.get("/api/v1/invoices", params={"client": client_id}, headers=AUDITOR)
    aging = await client.get("/api/v1/aging", params={"as_of": day.isoformat()}, headers=AUDITOR)
    assert invoices.status_code == 200 and aging.status_code == 200
    return invoices.json()["items"], aging.json()


async def test_after_erasure_no_personal_data_is_readable_and_the_money_is_unchanged(caplog):
    caplog.set_level(logging.DEBUG)
    async with billing_system(kafka=True, retention_days=365) as (runtime, client):
        settings = runtime.settings
        created = (await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)).json()
        owner = created["id"]
        line = await contract(client, owner, await offer(client, "99.00"))
        _, (invoice,) = await billed(runtime, client)  # October, issued 2 November with its PDF
        paid = await client.post(
            "/api/v1/payments",
            json={"client_id": owner, "amount": "50.00", "method": "cash", "reference": "CASH-ERASE"},
            headers=OPERATOR,
        )
        assert paid.status_code == 201, paid.text

        assert (await _erase(client, owner, 409))["error"]["code"] == "client_not_closed"
        await act(client, f"/api/v1/clients/{owner}/status", {"status": "closed", "reason": "left"})
        refused = await _erase(client, owner, 409)
        assert refused["error"]["code"] == "contracts_not_terminated"
        assert refused["error"]["details"]["contracts"] == [line]
        await act(client, f"/api/v1/contracts/{line}/termination", {"reason": "left"})
        runtime.clock.set_today(date(2027, 3, 1))
        refused = await _erase(client, owner, 409)
        assert refused["error"]["code"] == "retention_not_over"
        assert refused["error"]["details"]["erasable_from"] == "2027-11-02"  # 365 days after the last change

        await eventually(lambda: _projected(runtime, owner))
        stored = await _stored(settings.database_url)
        assert _found(TRACES, stored["rows"]) == TRACES, "the traces are in the read models before erasure"
        assert _found(TRACES, stored["events"]) == [], "never in clear in the event store"
        money_before = await _money(client, owner, date(2027, 3, 1))

        runtime.clock.set_today(date(2027, 11, 2))
        erased = await _erase(client, owner)
        gone = await client.get(
            f"/api/v1/clients/{owner}", params={"consistency_token": erased["position"]}, headers=AUDITOR
        )
        assert gone.status_code == 404

        assert _found(TRACES, await _stored_text(settings.database_url)) == []
        pdf = await client.get(f"/api/v1/invoices/{invoice['invoice_id']}/pdf", headers=AUDITOR)
        assert pdf.status_code == 404, "the PDF printed the name and address"
        money_after = await _money(client, owner, date(2027, 3, 1))
        assert money_after == money_before
        history = await client.get(f"/api/v1/event-history/{owner}", headers=AUDITOR)
        assert _found(TRACES, history.content) == [] and b"[erased]" in history.content

        await eventually(lambda: _tombstoned(settings, owner), timeout=20)
        public = [r for a in AGGREGATES for r in await _records(settings.kafka_bootstrap, settings.topic(a))]
        assert public and [t for r in public for t in TRACES if t in r.value] == [], "public topics: masked"
        assert _found(TRACES, caplog.text.encode()) == []

        await _replay_equals_live(settings)

        again = await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)
        assert again.status_code == 201, "the CIN is free again after erasure"
        assert again.json()["id"] != owner
        assert (await _erase(client, owner)).keys() >= {"id"}, "erasing again finishes, changes nothing"


async def _projected(runtime, owner: str) -> bool:
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT status FROM readmodel.client_directory WHERE client_id = $1", UUID(owner)
        )
    return row is not None and row["status"] == "closed"


async def _tombstoned(settings, owner: str) -> bool:
    """The personal-data topic's compacted state for the client: its latest record is a tombstone, after a
    record that carried the data in full."""
    mine = [
        r
        for r in await _records(settings.kafka_bootstrap, settings.topic(PII_TOPIC_NAME))
        if r.key == owner.encode()
    ]
    return (
        len(mine) >= 2
        and mine[-1].value is None
        and orjson.loads(mine[0].value)["cin"] == "ZX987654"
        and all(r.value is None or b"ZX987654" in r.value for r in mine)
    )


async def _replay_equals_live(settings) -> None:
    live = await dump_tables(settings.database_url, *READ_MODEL_TABLES)
    env = settings_env(settings)
    env["MTF_KAFKA_BOOTSTRAP"] = ""
    replayed = await asyncio.to_thread(run_to_exit, ["replay"], env)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert await dump_tables(settings.database_url, *READ_MODEL_TABLES) == live


async def test_a_client_without_history_is_erased_at_once_and_its_registration_events_stay(in_process_system):
    runtime, client = in_process_system
    created = (await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)).json()
    by_cin = await _save_draft(client, cin="zx 987654", full_name="Yasmine")  # typed as a visitor types it
    by_email = await _save_draft(client, cin="QQ111111", email="  Yasmine.Target@Example.MA ")
    someone_else = await _save_draft(client, cin="QQ222222", email="other@example.ma")
    erased = await _erase(client, created["id"])
    assert [await _draft_kept(client, t) for t in (by_cin, by_email, someone_else)] == [False, False, True]
    async with runtime.pool.acquire() as conn:
        topics = [
            r["topic"].rsplit(".", 1)[1]
            for r in await conn.fetch(
                "SELECT topic FROM eventstore.mtf_events WHERE originator_id = $1 ORDER BY originator_version",
                UUID(created["id"]),
            )
        ]
    assert topics == ["ClientRegistered", "ClientErased"], "nothing is deleted from the log"
    assert erased["position"] > created["position"]
    gone = await client.get(
        f"/api/v1/clients/{created['id']}", params={"consistency_token": erased["position"]}, headers=AUDITOR
    )
    assert gone.status_code == 404
    assert _found(TRACES, await _stored_text(runtime.settings.database_url)) == []


async def test_an_erasure_interrupted_after_its_events_is_finished_by_running_it_again(in_process_system):
    from commands.client_erasure import delete_client
    from domain.client import Client
    from infra.kernel.command_context import CommandContext

    runtime, client = in_process_system
    created = (await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)).json()
    ctx = CommandContext(actor="test", role="operator")
    half_done = runtime.store.load(Client, UUID(created["id"]), what="client")
    half_done.erase()
    runtime.store.save_as(ctx, half_done)  # the crash: ClientErased recorded, the key not destroyed yet
    assert runtime.store.load(Client, half_done.id, what="client").cin == "ZX987654"

    delete_client(runtime.store, runtime.clock, UUID(created["id"]), 0, ctx)
    assert runtime.store.load(Client, half_done.id, what="client").cin == "[erased]"


async def test_personal_data_stored_in_clear_by_an_earlier_version_is_sealed_at_start_up():
    from infra.eventstore.sealing_migration import seal_stored_personal_data
    from infra.eventstore.store import open_event_store
    from tests.support import fresh_settings, serving

    settings = fresh_settings(kafka=False)
    async with serving(settings) as (runtime, client):
        created = (await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)).json()
    store = await asyncio.to_thread(open_event_store, settings.database_url)
    conn = await asyncpg.connect(settings.database_url)
    try:  # the state an earlier version stored: the fields in clear, no seal
        for row in await conn.fetch(
            "SELECT notification_id, originator_id, topic, state FROM eventstore.mtf_events"
        ):
            state = store.decode_state(_notification(row))
            await conn.execute(
                "UPDATE eventstore.mtf_events SET state = $1 WHERE notification_id = $2",
                store.mapper.transcoder.encode(state),
                row["notification_id"],
            )
        await conn.execute("DELETE FROM eventstore.data_migrations")
        assert b"ZX987654" in await _stored_text(settings.database_url)
        assert await asyncio.to_thread(seal_stored_personal_data, store) == 2  # the client and its CIN marker
        assert _found(TRACES, (await _stored(settings.database_url))["events"]) == []
        assert await asyncio.to_thread(seal_stored_personal_data, store) == 0
    finally:
        await conn.close()
        store.close()
    async with serving(settings) as (runtime, client):
        found = await client.get(
            f"/api/v1/clients/{created['id']}",
            params={"consistency_token": created["position"]},
            headers=OPERATOR,
        )
        assert found.status_code == 200, found.text
        assert (found.json()["cin"], found.json()["full_name"]) == ("ZX987654", TARGET["full_name"])


def _notification(row):
    from eventsourcing.persistence import Notification

    return Notification(
        id=row["notification_id"],
        originator_id=row["originator_id"],
        originator_version=1,
        topic=row["topic"],
        state=bytes(row["state"]),
    )


async def test_drafts_saved_before_the_erasure_columns_existed_get_them_on_start_up():
    url = fresh_database(required_env("MTF_DATABASE_URL"))
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"""CREATE SCHEMA landing; CREATE TABLE {landing_drafts.TABLE} (token_digest text
        PRIMARY KEY,
            body jsonb NOT NULL, saved_at timestamptz NOT NULL, expires_at timestamptz NOT NULL)""")
        await conn.execute(
            f"INSERT INTO {landing_drafts.TABLE} VALUES ('d', $1::jsonb, now(), now())",
            '{"cin": "zx 987654", "email": " Yasmine.Target@Example.MA"}',
        )
        assert "0003.drafts-by-cin-and-email" in await asyncio.to_thread(apply_migrations, url)
        assert await asyncio.to_thread(apply_migrations, url) == []  # the next start-up has nothing to do
        assert tuple(await conn.fetchrow(f"SELECT cin, email FROM {landing_drafts.TABLE}")) == (
            "ZX987654",
            "yasmine.target@example.ma",
        )
    finally:
        await conn.close()


async def test_a_client_key_is_written_with_its_first_event_and_not_without_it(in_process_system):
    from domain.client import Client
    from domain.markers import CinRegistration
    from infra.eventstore.port import ConcurrencyConflict
    from infra.kernel.command_context import CommandContext

    runtime, client = in_process_system
    assert (await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)).status_code == 201
    # A registration that lost the race for the CIN: its events are mapped, sealed with a new key, and
    # refused by the append (the marker exists). The key must go with them.
    loser = Client(cin="ZX987654", full_name="Late", email="late@example.ma", address="Rabat", phone=None)
    with pytest.raises(ConcurrencyConflict):
        runtime.store.save_as(
            CommandContext(actor="test", role="operator"), loser, CinRegistration.hold("ZX987654", loser.id)
        )
    async with runtime.pool.acquire() as conn:
        keys = await conn.fetchval("SELECT count(*) FROM eventstore.data_keys")
        clients = await conn.fetchval(
            "SELECT count(*) FROM eventstore.mtf_events WHERE topic LIKE '%Client.ClientRegistered'"
        )
    assert (keys, clients) == (1, 1)
