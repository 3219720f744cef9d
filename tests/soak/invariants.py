"""What must hold after the soak, however many faults it took: nothing accepted is lost, Kafka has every
public event, the read models equal a replay, the number series have no gap and no duplicate, no invoice
is overpaid, nothing is parked, and every billed period is complete and equals its recomputation."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from infra.runtime.features import PROJECTIONS
from schemas.catalog import spec_for_stored_topic
from schemas.envelopes import decode
from schemas.personal_data import PII_TOPIC_NAME
from tests.processes import run_cli
from tests.soak.load import Acceptance
from tests.support import dump_tables

TABLES = [t for p in PROJECTIONS.values() for t in p.tables]


@dataclass(frozen=True)
class Verdict:
    name: str
    ok: bool
    detail: str


async def accepted_in_log(conn: asyncpg.Connection, accepted: list[Acceptance]) -> Verdict:
    positions = {a.position for a in accepted}
    found = {
        r["notification_id"]
        for r in await conn.fetch(
            "SELECT notification_id FROM eventstore.mtf_events WHERE notification_id = ANY($1::bigint[])",
            list(positions),
        )
    }
    ids = {a.id for a in accepted}
    streams = {
        str(r["originator_id"])
        for r in await conn.fetch(
            "SELECT DISTINCT originator_id FROM eventstore.mtf_events WHERE originator_id = ANY($1::uuid[])",
            list(ids),
        )
    }
    lost = [a for a in accepted if a.position not in found or a.id not in streams]
    detail = f"{len(accepted)} accepted commands, {len(lost)} without their events"
    return Verdict("every accepted command's events are in the log", not lost, detail + _sample(lost))


async def published_to_kafka(conn: asyncpg.Connection, bootstrap: str) -> Verdict:
    stored = await conn.fetch("SELECT notification_id, topic FROM eventstore.mtf_events")
    public = {r["notification_id"] for r in stored if spec_for_stored_topic(r["topic"]).public}
    positions = await _published_positions(bootstrap)
    missing = sorted(public - set(positions))
    copies = sum(n - 1 for n in positions.values() if n > 1)
    detail = (
        f"{len(public)} public events stored, {len(missing)} missing on Kafka, "
        f"{copies} delivered more than once (at-least-once; consumers deduplicate)"
    )
    return Verdict("every public event is on Kafka", not missing, detail + _sample(missing))


async def _published_positions(bootstrap: str) -> Counter:
    """How many times each log position was published, over every `mtf.*.v1` topic from the start."""
    partitions = await _partitions(bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        positions: Counter = Counter()
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for records in batches.values():
                for record in records:
                    positions[decode(record.value).position] += 1
        return positions
    finally:
        await consumer.stop()


async def _partitions(bootstrap: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [
            t
            for t in await admin.list_topics()
            if re.fullmatch(r"mtf\.[a-z_-]+\.v1", t)
            and t != f"mtf.{PII_TOPIC_NAME}.v1"  # records, not events
        ]
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
    if not partitions:
        raise RuntimeError("no mtf topic on the broker")
    return partitions


async def read_models_equal_replay(database_url: str, env: dict[str, str]) -> Verdict:
    live = await dump_tables(database_url, *TABLES)
    result = await run_cli(
        ["replay"], {**env, "MTF_DATABASE_URL": database_url, "MTF_KAFKA_BOOTSTRAP": ""}, 600
    )
    if result.returncode != 0:
        return Verdict(
            "every read model equals a full replay", False, result.stdout[-2000:] + result.stderr[-2000:]
        )
    replayed = await dump_tables(database_url, *TABLES)
    differing = [t for t in TABLES if live[t] != replayed[t]]
    rows = sum(len(v) for v in live.values())
    detail = f"{len(TABLES)} tables, {rows} rows; differing: {', '.join(differing) or 'none'}"
    return Verdict("every read model equals a full replay", not differing, detail)


async def series_gap_free(conn: asyncpg.Connection) -> Verdict:
    problems, counted = [], 0
    for table in ("readmodel.invoice_register", "readmodel.credit_note_register"):
        numbers = [r["number"] for r in await conn.fetch(f"SELECT number FROM {table}")]
        counted += len(numbers)
        by_series: dict[str, list[int]] = {}
        for number in numbers:
            series, serial = re.fullmatch(r"(.*\D)(\d+)", number).groups()
            by_series.setdefault(series, []).append(int(serial))
        for series, serials in by_series.items():
            if sorted(serials) != list(range(1, len(serials) + 1)):
                problems.append(f"{series}: {len(serials)} numbers, highest {max(serials)}")
    detail = f"{counted} invoice and credit-note numbers; " + ("; ".join(problems) or "no gap, no duplicate")
    return Verdict("invoice and credit-note series have no gap and no duplicate", not problems, detail)


async def no_invoice_overpaid(conn: asyncpg.Connection) -> Verdict:
    over = await conn.fetch(
        "SELECT number, gross, credited, paid, open_balance FROM readmodel.invoice_register "
        "WHERE paid + credited > gross OR open_balance < 0"
    )
    paid = await conn.fetchval("SELECT count(*) FROM readmodel.invoice_register WHERE paid > 0")
    detail = f"{paid} invoices with payments, {len(over)} overpaid" + _sample([r["number"] for r in over])
    return Verdict("no invoice is overpaid", not over, detail)


async def nothing_parked(conn: asyncpg.Connection) -> Verdict:
    parked = await conn.fetch(
        "SELECT consumer, event_type, error FROM deadletters.parked WHERE status = 'parked'"
    )
    detail = f"{len(parked)} parked" + _sample(
        [f"{r['consumer']} {r['event_type']}: {r['error']}" for r in parked]
    )
    return Verdict("nothing is parked", not parked, detail)


async def billing_complete(
    conn: asyncpg.Connection, env: dict[str, str], periods: list[str], clients: int
) -> Verdict:
    problems = []
    runs = dict(await conn.fetch("SELECT period, status FROM readmodel.billing_run_progress"))
    counts = dict(await conn.fetch("SELECT period, count(*) FROM readmodel.invoice_register GROUP BY period"))
    for period in periods:
        if runs.get(period) != "completed" or counts.get(period) != clients:
            problems.append(
                f"{period}: run {runs.get(period)}, {counts.get(period, 0)} invoices of {clients}"
            )
            continue
        verified = await run_cli(["verify-billing", period], env, 300)
        if verified.returncode != 0:
            problems.append(f"{period}: differs from its recomputation")
    detail = f"{len(periods)} periods billed, {clients} invoices each; " + (
        "; ".join(problems) or "all verified"
    )
    return Verdict("every billed period is complete and equals its recomputation", not problems, detail)


async def check(database_url: str, bootstrap: str, env: dict[str, str], accepted, periods, clients) -> list:
    conn = await asyncpg.connect(database_url)
    try:
        verdicts = [
            await accepted_in_log(conn, accepted),
            await published_to_kafka(conn, bootstrap),
            await billing_complete(conn, {**env, "MTF_DATABASE_URL": database_url}, periods, clients),
            await series_gap_free(conn),
            await no_invoice_overpaid(conn),
            await nothing_parked(conn),
        ]
    finally:
        await conn.close()
    verdicts.append(await read_models_equal_replay(database_url, env))
    return verdicts


def _sample(items) -> str:
    items = list(items)
    return f" (e.g. {', '.join(map(str, items[:5]))})" if items else ""
