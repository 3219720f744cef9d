"""Billing-run benchmark: one real RunBilling over N contracts, issued, published to Kafka and projected.

N active contracts across 0.6 N clients, with a mix of services, mid-month plan changes,
suspensions, terminations, starts during the period and discounts, seeded straight into the
event store (seeding is set-up, not measured). Once the relay has published the seed, the projector
has consumed it and PostgreSQL has vacuumed, analyzed and checkpointed it, `mtf bill` runs as its own
process while a relay and a projector run as theirs. Prints invoices/s until the invoice read model caught up,
the PDF phase's rate, peak RSS and CPU per process, and a same-run baseline of raw batched
event-store appends. `--profile` profiles the issuing path in-process with pyinstrument instead.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import asyncpg
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import (  # noqa: E402
    PeakRss,
    cpu_seconds,
    infrastructure_cpu,
    output_dir,
    start_server,
    stop_on_sigterm,
    stop_processes,
)
from domain.billing_run import BillingRun  # noqa: E402
from domain.client import Client  # noqa: E402
from domain.contract import Contract  # noqa: E402
from domain.discount import Discount  # noqa: E402
from domain.offer import Offer  # noqa: E402
from domain.period import Period  # noqa: E402
from infra.eventstore.store import open_event_store  # noqa: E402
from infra.kernel.command_context import CommandContext  # noqa: E402
from infra.messaging.kafka import all_topics  # noqa: E402
from tests.support import fresh_settings, settings_env  # noqa: E402

PERIOD = "2026-10"
BILLING_DAY = "2026-11-02"
SEED = CommandContext(actor="bench-seed", role="operator")
OFFERS = {
    "mobile": [
        ("Mobile 10 Go", "49.00", [{"kind": "data", "gb": 10}]),
        ("Mobile 50 Go", "99.00", [{"kind": "data", "gb": 50}]),
        ("Mobile Illimite", "199.00", [{"kind": "data", "gb": 200}, {"kind": "calls", "hours": 100}]),
    ],
    "internet": [
        ("ADSL 20", "199.00", [{"kind": "adsl", "mbps": 20}, {"kind": "landline"}]),
        ("Fibre 100", "349.00", [{"kind": "fiber", "mbps": 100}, {"kind": "landline"}]),
    ],
    "landline": [
        ("Fixe 10h", "49.00", [{"kind": "national", "hours": 10}]),
        (
            "Fixe International",
            "129.00",
            [{"kind": "national", "hours": 20}, {"kind": "international", "hours": 5}],
        ),
    ],
}
SERVICE_MIX = {"mobile": 60, "internet": 25, "landline": 15}  # percent of contracts


ARABIC_SHARE = (
    10  # percent of clients who prefer Arabic: their invoices take the reportlab path (docs/documents.md)
)


def _client(i: int) -> Client:
    if i % 100 < ARABIC_SHARE:
        return Client(
            cin=f"BK{100000 + i}",
            full_name=f"عميل رقم {i}",
            email=f"c{i}@example.ma",
            address="حي الرياض، الرباط",
            phone=None,
            language="ar",
        )
    return Client(
        cin=f"BK{100000 + i}",
        full_name=f"Client {i}",
        email=f"c{i}@example.ma",
        address="Casablanca",
        phone=None,
    )


def seed(database_url: str, n: int, batch: int = 500) -> dict[str, int]:
    """Writes the portfolio as the domain would have recorded it; returns what it made."""
    rng = random.Random(42)
    store = open_event_store(database_url)
    offers = {
        s: [
            Offer.create(
                name=name,
                service=s,
                family="std",
                monthly_fee=Decimal(fee),
                activation_fee=Decimal("0"),
                components=comps,
                valid_from=None,
                valid_to=None,
            )
            for name, fee, comps in specs
        ]
        for s, specs in OFFERS.items()
    }
    store.save_as(SEED, *(o for group in offers.values() for o in group))
    clients = [_client(i) for i in range(max(1, int(n * 0.6)))]
    counts = {
        "contracts": n,
        "clients": len(clients),
        "plan_changes": 0,
        "suspensions": 0,
        "terminations": 0,
        "discounts": 0,
        "arabic": sum(c.language == "ar" for c in clients),
    }
    pending: list = []
    for i in range(n):
        client = (
            clients[i] if i < len(clients) else rng.choice(clients)
        )  # every client has at least one contract
        pending.append(_contract(rng, client, offers, counts))
        if len(pending) >= batch:
            store.save_as(SEED, *pending)
            pending = []
    for client in clients:
        if rng.random() < 0.05:
            counts["discounts"] += 1
            pending.append(
                Discount.grant(
                    client_id=client.id,
                    contract_id=None,
                    kind="percent",
                    value=Decimal("10"),
                    from_period=Period(2026, 1),
                    to_period=None,
                    label="Loyalty",
                )
            )
        pending.append(client)
        if len(pending) >= batch:
            store.save_as(SEED, *pending)
            pending = []
    if pending:
        store.save_as(SEED, *pending)
    store.close()
    return counts


def _contract(rng: random.Random, client: Client, offers: dict, counts: dict[str, int]) -> Contract:
    service = rng.choices(list(SERVICE_MIX), weights=list(SERVICE_MIX.values()))[0]
    offer = rng.choice(offers[service])
    start = (
        date(2026, 10, rng.randint(2, 28))
        if rng.random() < 0.1
        else date(2026, rng.randint(1, 9), rng.randint(1, 28))
    )
    contract = Contract.provision(
        client_id=client.id,
        subscriber_id=uuid.uuid4(),
        number=f"+2126{rng.randint(10_000_000, 99_999_999)}",
        offer_id=offer.id,
        offer_version=offer.terms_version,
        offer_name=offer.name,
        service=service,
        monthly_fee=offer.monthly_fee,
        activation_fee=Decimal("99.00"),
        start_date=start,
        commitment_months=rng.choice((0, 12, 24)),
    )
    contract.activate(on=start)
    client.add_contract(contract.id, service)
    roll = rng.random()
    if roll < 0.10:
        target = rng.choice(
            [o for o in offers[service] if o.monthly_fee > offer.monthly_fee] or offers[service][-1:]
        )
        if target.id != offer.id:
            counts["plan_changes"] += 1
            contract.change_plan(
                offer_id=target.id,
                offer_version=target.terms_version,
                offer_name=target.name,
                service=service,
                monthly_fee=target.monthly_fee,
                effective_date=max(start, date(2026, 10, 16)),
                today=start,
            )
    elif roll < 0.15:
        counts["suspensions"] += 1
        contract.suspend(on=max(start, date(2026, 10, 11)), reason="unpaid")
        contract.resume(on=max(start, date(2026, 10, 21)))
    elif roll < 0.18:
        counts["terminations"] += 1
        contract.terminate(on=max(start, date(2026, 10, 25)), reason="churn", early_termination=True)
    return contract


def roster_pass(database_url: str, position: int) -> tuple[float, int]:
    """Seconds the roster pass takes alone (who bills in the period, where their events are), and the
    clients it names: the one part of a run that reads the whole portfolio, so the part that grows with it."""
    from commands.billing_input import read_roster

    store = open_event_store(database_url)
    try:
        started = time.perf_counter()
        roster = read_roster(store, position, Period.parse(PERIOD))
        return time.perf_counter() - started, len(roster.clients)
    finally:
        store.close()


def baseline_batched_appends(database_url: str, events: int, batch: int) -> float:
    """Raw appends of one-event aggregates, `batch` per save: the event store's ceiling for this write shape."""
    store = open_event_store(database_url)
    ctx = CommandContext(actor="bench", role="operator")
    started = time.perf_counter()
    for start in range(0, events, batch):
        store.save_as(
            ctx,
            *(
                Client(cin=f"ZZ{i}", full_name="x", email="x@y.ma", address="z", phone=None)
                for i in range(start, min(events, start + batch))
            ),
        )
    elapsed = time.perf_counter() - started
    store.close()
    return events / elapsed


POLL_S = 0.25  # the waits' resolution; polling more often takes CPU from the run (docs/performance.md)


async def wait_for(conn: asyncpg.Connection, sql: str, done, *args, timeout: float = 3600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if done(await conn.fetchval(sql, *args)):
                return time.perf_counter()
        except asyncpg.UndefinedTableError:  # the workers have not migrated yet
            pass
        await asyncio.sleep(POLL_S)
    raise TimeoutError(sql)


RUN_EVENT = "SELECT count(*) FROM eventstore.mtf_events WHERE originator_id = $1 AND topic LIKE $2"


async def projected_through(
    conn: asyncpg.Connection, run_id: uuid.UUID, event: str, invoices: int, counted: str
) -> float:
    """When the invoice register has applied everything up to the run's `event`: its progress row passes
    that event's position (one row), then one count confirms it (the partitions may still be catching
    up, in which case the wait goes on)."""
    await wait_for(conn, RUN_EVENT, bool, run_id, event)
    position = await conn.fetchval(
        "SELECT max(notification_id) FROM eventstore.mtf_events WHERE originator_id = $1 AND topic LIKE $2",
        run_id,
        event,
    )
    while True:
        await wait_for(conn, PROGRESS, lambda p: (p or 0) >= position)
        if (
            await conn.fetchval(f"SELECT count(*) FROM readmodel.invoice_register WHERE {counted}")
            >= invoices
        ):
            return time.perf_counter()
        await asyncio.sleep(POLL_S)


PROGRESS = "SELECT position FROM readmodel.projection_progress WHERE projection = 'invoice_register'"
RELAYED = "SELECT position FROM eventstore.relay_position WHERE relay = 'kafka'"


async def relayed_through(conn: asyncpg.Connection, run_id: uuid.UUID, event: str) -> float:
    """When the relay has published everything up to the run's `event` (its saved position, one row): what
    separates the log from Kafka, apart from what separates Kafka from the read model."""
    position = await conn.fetchval(
        "SELECT max(notification_id) FROM eventstore.mtf_events WHERE originator_id = $1 AND topic LIKE $2",
        run_id,
        event,
    )
    return await wait_for(conn, RELAYED, lambda p: (p or 0) >= position)


async def all_seed_settled(settings, contracts: int) -> None:
    """The seed projected, on Kafka and consumed, before anything is measured. Read models found stale at
    start-up are rebuilt from the log, so the contract read model fills long before the relay has published
    the seed's millions of events: a run measured then shared the machine with that backlog."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        await wait_for(conn, "SELECT count(*) FROM readmodel.contract_summary", lambda c: c >= contracts)
        head = await conn.fetchval("SELECT max(notification_id) FROM eventstore.mtf_events")
        await wait_for(conn, RELAYED, lambda p: (p or 0) >= head)
    finally:
        await conn.close()
    while await consumer_lag(settings) > 0:
        await asyncio.sleep(1)


async def quiet_database(conn: asyncpg.Connection) -> None:
    """What an operator does after a bulk load: statistics and the visibility map made current, dirty pages
    written. Without it, autovacuum and a checkpoint over the millions of seeded rows fall inside the
    measured run, at a moment no two runs share."""
    await conn.execute("VACUUM (ANALYZE)")
    await conn.execute("CHECKPOINT")


DATABASE_CHORES = """
SELECT (SELECT coalesce(sum(autovacuum_count), 0) FROM pg_stat_all_tables),
       (SELECT coalesce(sum(autoanalyze_count), 0) FROM pg_stat_all_tables),
       (SELECT num_timed + num_requested FROM pg_stat_checkpointer)
"""


async def database_chores(conn: asyncpg.Connection) -> tuple[int, int, int]:
    """Autovacuums, autoanalyzes and checkpoints PostgreSQL has run so far."""
    return tuple(await conn.fetchrow(DATABASE_CHORES))


async def consumer_lag(settings) -> int:
    """Records on the projector's topics its group has not committed yet."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.consumer_group)
        partitions = [
            TopicPartition(topic, p)
            for topic in all_topics(settings)
            for p in consumer.partitions_for_topic(topic) or ()
        ]
        ends = await consumer.end_offsets(partitions)
        return sum(end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items())
    finally:
        await consumer.stop()
        await admin.close()


async def profile_issuing(env: dict[str, str]) -> None:
    """The issuing path in this process under pyinstrument (no relay or projector running)."""
    import os

    from pyinstrument import Profiler

    os.environ.update(env)
    from commands.billing import BillingTerms, execute_billing_run, start_billing_run
    from infra.kernel.settings import Settings
    from infra.runtime.assembly import running

    settings = Settings(_env_file=None)
    terms = BillingTerms.from_settings(settings)
    async with running(settings, relay=False, projector=False) as runtime:

        def issue() -> None:
            started = start_billing_run(runtime.store, runtime.clock, terms, PERIOD, SEED)
            execute_billing_run(
                runtime.store,
                runtime.clock,
                runtime.operator,
                terms,
                started.run.id,
                SEED,
                started.roster,
            )

        profiler = Profiler(interval=0.002, async_mode="disabled")
        profiler.start()
        issue()  # on this thread: the profiler samples the thread that started it
        profiler.stop()
    print(profiler.output_text(unicode=False, color=False)[:15000])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000, help="active contracts (clients = 0.6 n)")
    parser.add_argument("--block", type=int, default=1000, help="clients billed per append")
    parser.add_argument("--workers", type=int, default=1, help="`mtf bill` processes sharing the run")
    parser.add_argument(
        "--profile", action="store_true", help="profile the issuing path in-process instead of measuring"
    )
    args = parser.parse_args()

    settings = fresh_settings(kafka=True)
    env = {
        **settings_env(settings),
        "MTF_FIXED_TODAY": BILLING_DAY,
        "MTF_BILLING_BLOCK_SIZE": str(args.block),
        "MTF_LOG_LEVEL": "warning",
    }
    seeded_at = time.perf_counter()
    counts = await asyncio.to_thread(seed, settings.database_url, args.n)
    seed_seconds = time.perf_counter() - seeded_at
    if args.profile:
        return await profile_issuing(env)

    workers = [start_server(env, role) for role in ("relay", "project")]
    try:
        await all_seed_settled(settings, args.n)
        conn = await asyncpg.connect(settings.database_url)
        await quiet_database(conn)
        chores_before = await database_chores(conn)
        cpu_before = [cpu_seconds(w) for w in workers]
        infra_before, machine_before, reaped_before = infrastructure_cpu(), machine_cpu(), reaped_cpu()
        started = time.perf_counter()
        outputs = [
            tempfile.TemporaryFile() for _ in range(args.workers)
        ]  # an unread pipe could fill and stop it
        bills = [
            subprocess.Popen(
                [sys.executable, "-m", "infra.runtime.cli", "bill", PERIOD],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            for output in outputs
        ]
        with PeakRss([*(b.pid for b in bills), *(w.pid for w in workers)]) as rss:
            # Cheap polls only (an index lookup, a row or two): a count over the growing invoice register
            # every poll would be one backend counting beside the run it measures.
            run_id = BillingRun.create_id(PERIOD)
            issued_at = await wait_for(conn, RUN_EVENT, bool, run_id, "%BillingRunIssued")
            invoices = await conn.fetchval(
                "SELECT (convert_from(state, 'UTF8')::jsonb ->> 'invoices_issued')::int FROM eventstore.mtf_events "
                "WHERE originator_id = $1 AND topic LIKE '%BillingRunIssued'",
                run_id,
            )
            bill_cpu_issue = sum(map(cpu_seconds, bills))
            relayed_at = await relayed_through(conn, run_id, "%BillingRunIssued")
            projected_at = await projected_through(conn, run_id, "%BillingRunIssued", invoices, "true")
            infra_e2e, machine_e2e = infrastructure_cpu(), machine_cpu()
            chores = [a - b for a, b in zip(await database_chores(conn), chores_before)]
            worker_cpu_e2e = [cpu_seconds(w) - b for w, b in zip(workers, cpu_before)]
            documented_at = await projected_through(
                conn, run_id, "%BillingRunCompleted", invoices, "document IS NOT NULL"
            )
            exits = [await asyncio.to_thread(ended, b, o) for b, o in zip(bills, outputs)]
            bill_cpu = reaped_cpu() - reaped_before
        worker_cpu = [cpu_seconds(w) - b for w, b in zip(workers, cpu_before)]
        lines = await conn.fetchval("SELECT sum(jsonb_array_length(lines)) FROM readmodel.invoice_register")
        gross = await conn.fetchval("SELECT gross FROM readmodel.billing_run_progress")
        billed_position = await conn.fetchval(
            "SELECT (convert_from(state, 'UTF8')::jsonb ->> 'billed_position')::bigint "
            "FROM eventstore.mtf_events WHERE originator_id = $1 AND topic LIKE '%BillingRunStarted'",
            run_id,
        )
        await conn.close()
        for code, _, output in exits:
            if code != 0:
                raise SystemExit(f"mtf bill failed ({code}): {output[-2000:]}")
    finally:
        stop_processes(workers)

    roster_s, roster_clients = await asyncio.to_thread(roster_pass, settings.database_url, billed_position)
    events = invoices + (invoices // args.block + 2)
    baseline = await asyncio.to_thread(
        baseline_batched_appends, fresh_settings(kafka=False).database_url, events, args.block
    )
    issue_s, e2e_s, pdf_s = issued_at - started, projected_at - started, documented_at - projected_at
    relay_s = relayed_at - started
    print(
        f"\nbilling-run benchmark: RunBilling {PERIOD} as `mtf bill`, relay and projector as separate processes, "
        "Kafka and PostgreSQL local"
    )
    print(
        f"  portfolio   {counts['contracts']} contracts, {counts['clients']} clients; "
        f"{counts['plan_changes']} mid-month plan changes, "
        f"{counts['suspensions']} suspensions, {counts['terminations']} terminations, {counts['discounts']} "
        "client discounts; "
        f"{counts['arabic']} clients prefer Arabic (seeded in {seed_seconds:.1f} s, not measured)"
    )
    print(f"  invoices    {invoices} with {lines} lines, gross {gross} MAD; {args.block} clients per append")
    print(f"  issued in the event store      {issue_s:8.2f} s   {invoices / issue_s:9.1f} invoices/s")
    print(f"  on Kafka (the relay's position)   {relay_s:5.2f} s   {invoices / relay_s:9.1f} invoices/s")
    print(f"  end to end (read model caught up) {e2e_s:5.2f} s   {invoices / e2e_s:9.1f} invoices/s")
    print(
        f"  PDFs after that                {pdf_s:8.2f} s   {invoices / pdf_s:9.1f} PDFs/s (rendered, "
        "stored, announced, projected)"
    )
    names = [*(f"mtf bill {i + 1} (renderers included)" for i in range(args.workers)), "relay", "projector"]
    print(
        f"  peak RSS ({args.workers} x mtf bill + relay + projector)  {rss.peak / 2**20:.1f} MiB; "
        f"each at its own peak, MiB: {rss.each(names)}"
    )
    print(f"  relay's and projector's output in {output_dir()}")
    shares = ", ".join(str(blocks) for _, blocks, _ in exits)
    print(f"  {args.workers} mtf bill worker(s); blocks of invoices each issued: {shares}")
    per_invoice = {
        "mtf bill": bill_cpu_issue,
        "relay": worker_cpu_e2e[0],
        "projector": worker_cpu_e2e[1],
        **{role: infra_e2e[role] - infra_before[role] for role in ("postgres", "kafka")},
    }
    print(
        "  CPU per invoice until the read model caught up, ms: "
        + ", ".join(f"{role} {seconds / invoices * 1000:.3f}" for role, seconds in per_invoice.items())
        + f"; machine {(machine_e2e - machine_before) / invoices * 1000:.3f} "
        f"({(machine_e2e - machine_before) / e2e_s / psutil.cpu_count():.0%} of {psutil.cpu_count()} cores busy)"
    )
    print(
        f"  PostgreSQL's own chores until then (the seed vacuumed, analyzed and checkpointed before): "
        f"{chores[0]} autovacuums, {chores[1]} autoanalyzes, {chores[2]} checkpoints"
    )
    bound = psutil.cpu_count() / ((machine_e2e - machine_before) / invoices)
    print(f"  so these {psutil.cpu_count()} cores, fully busy, would issue at most {bound:,.0f} invoices/s")
    print(
        f"  CPU for the whole run: mtf bill {bill_cpu:.1f} s (PDF renderers included); relay {worker_cpu[0]:.1f} s, "
        f"projector {worker_cpu[1]:.1f} s"
    )
    print(
        f"  the roster pass alone (the only read of the whole portfolio), timed after the run: "
        f"{roster_s:.2f} s for {roster_clients} clients"
    )
    print("baseline, same run:")
    print(
        f"  raw batched event-store appends/s {baseline:9.1f}   ({events} one-event aggregates, {args.block} "
        "per save)  "
        f"ratio end-to-end invoices/appends = {invoices / e2e_s / baseline:.2f}"
    )
    fast, full = render_baseline()
    print(
        f"  one process rendering invoices, nothing else: fast writer {fast:7.1f} PDFs/s, reportlab "
        f"{full:6.1f} PDFs/s  "
        f"ratio run's PDFs/s to fast writer = {invoices / pdf_s / fast:.2f}"
    )


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy so far (all processes, every core)."""
    times = psutil.cpu_times()
    return times.user + times.system + times.nice + getattr(times, "irq", 0) + getattr(times, "softirq", 0)


def reaped_cpu() -> float:
    """CPU seconds of the child processes this process has reaped so far (with their own reaped children)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def ended(process: subprocess.Popen, written) -> tuple[int, int, str]:
    """Exit code, blocks of invoices it issued, and the output of an `mtf bill` worker."""
    process.wait()
    written.seek(0)
    output = written.read().decode(errors="replace")
    found = re.search(r"this worker issued (\d+) blocks", output)
    return process.returncode, int(found.group(1)) if found else -1, output


def render_baseline(seconds: float = 3.0) -> tuple[float, float]:
    """PDFs per second that one process renders, for a French invoice (fast writer) and an Arabic one (reportlab)."""
    from infra.pdf.choice import invoice_pdf
    from tests.unit.documents_samples import AMINA, MERYEM, OPERATOR, invoice_sheet

    rates = []
    for customer in (AMINA, MERYEM):
        sheet, count, started = invoice_sheet(customer), 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            invoice_pdf(OPERATOR, sheet)
            count += 1
        rates.append(count / (time.perf_counter() - started))
    return rates[0], rates[1]


if __name__ == "__main__":
    stop_on_sigterm()
    asyncio.run(main())
