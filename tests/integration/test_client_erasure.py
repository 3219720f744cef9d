"""After a client is deleted, none of its personal data is readable anywhere we control."""

from __future__ import annotations

import asyncio

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from infra.runtime.features import PROJECTIONS
from infra.storage import landing_drafts
from infra.storage.schema_migrations import apply_migrations
from schemas.envelopes import decode
from tests.support import AUDITOR, OPERATOR, fresh_database, required_env

TARGET = {
    "cin": "ZX 987654",
    "full_name": "Yasmine Erasure-Target",
    "email": "yasmine.target@example.ma",
    "address": "77 Avenue Oubliee, Agadir",
    "phone": "+212698765432",
}
TRACES = [b"ZX987654", b"Yasmine", b"yasmine.target", b"Oubliee", b"698765432"]


async def _end_offsets(bootstrap: str, topic: str) -> dict:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p)
            for p in consumer.partitions_for_topic(topic) or await _partitions(consumer, topic)
        ]
        return await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()


async def _partitions(consumer, topic: str):
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


async def _messages_after(bootstrap: str, offsets: dict) -> list:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        for partition, offset in offsets.items():
            consumer.seek(partition, offset)
        records = []
        for _ in range(10):
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def _all_text(database_url: str) -> bytes:
    conn = await asyncpg.connect(database_url)
    try:
        chunks = [
            b"".join(bytes(r["state"]) for r in await conn.fetch("SELECT state FROM eventstore.mtf_events"))
        ]
        for projection in PROJECTIONS.values():
            for table in (*projection.tables, landing_drafts.TABLE):
                chunks.extend(
                    str(tuple(r.values())).encode() for r in await conn.fetch(f"SELECT * FROM {table}")
                )
        return b"\n".join(chunks)
    finally:
        await conn.close()


async def _save_draft(client, **typed) -> str:
    saved = await client.post("/api/v1/landing/drafts", json={"step": 3, "service": "mobile", **typed})
    assert saved.status_code == 201, saved.text
    return saved.json()["token"]


async def _draft_kept(client, token: str) -> bool:
    return (await client.get("/api/v1/landing/draft", headers={"X-Draft-Token": token})).status_code == 200


async def test_deleted_client_leaves_no_personal_data_in_store_read_models_or_new_messages(kafka_system):
    runtime, client = kafka_system
    created = (await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)).json()
    by_cin = await _save_draft(client, cin="zx 987654", full_name="Yasmine")  # typed as a visitor types it
    by_email = await _save_draft(client, cin="QQ111111", email="  Yasmine.Target@Example.MA ")
    someone_else = await _save_draft(client, cin="QQ222222", email="other@example.ma")
    await client.get(
        f"/api/v1/clients/{created['id']}", params={"consistency_token": created["position"]}, headers=AUDITOR
    )
    before = await _all_text(runtime.settings.database_url)
    assert all(trace in before for trace in TRACES), "the traces are there before the delete"
    topic = runtime.settings.topic("client")
    offsets = await _end_offsets(runtime.settings.kafka_bootstrap, topic)

    deleted = await client.delete(f"/api/v1/clients/{created['id']}", headers=OPERATOR)
    assert deleted.status_code == 200, deleted.text
    gone = await client.get(
        f"/api/v1/clients/{created['id']}",
        params={"consistency_token": deleted.json()["position"]},
        headers=AUDITOR,
    )
    assert gone.status_code == 404

    after = await _all_text(runtime.settings.database_url)
    assert [t for t in TRACES if t in after] == []
    assert [await _draft_kept(client, t) for t in (by_cin, by_email, someone_else)] == [False, False, True]
    produced = await _messages_after(runtime.settings.kafka_bootstrap, offsets)
    assert [decode(r.value).event_name for r in produced] == ["ClientErased"]
    assert [t for t in TRACES for r in produced if t in r.value] == []

    again = await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)
    assert again.status_code == 201, "the CIN is free again after erasure"
    assert again.json()["id"] != created["id"]
    assert (await client.delete(f"/api/v1/clients/{created['id']}", headers=OPERATOR)).status_code == 404


async def test_a_delete_interrupted_before_removal_is_finished_by_running_it_again(in_process_system):
    from uuid import UUID

    from commands.clients import delete_client
    from domain.client import Client
    from infra.kernel.command_context import CommandContext

    runtime, client = in_process_system
    created = (await client.post("/api/v1/clients", json=TARGET, headers=OPERATOR)).json()
    ctx = CommandContext(actor="test", role="operator")
    half_done = runtime.store.load(Client, UUID(created["id"]), what="client")
    half_done.erase()
    runtime.store.save_as(ctx, half_done)  # the crash: ClientErased recorded, history still stored
    assert TRACES[0] in await _all_text(runtime.settings.database_url)

    finished = delete_client(runtime.store, UUID(created["id"]), ctx)
    gone = await client.get(
        f"/api/v1/clients/{created['id']}", params={"consistency_token": finished.position}, headers=AUDITOR
    )
    assert gone.status_code == 404  # and the read models have seen the erasure

    remaining = await _all_text(runtime.settings.database_url)
    assert [t for t in TRACES if t in remaining] == []


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
