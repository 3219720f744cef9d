"""Collections benchmark: payments through HTTP, a collections sweep and the aging query over a large portfolio.

Seeds C clients with two billed periods each (2 C invoices, default C = 50,000: a 100,000-invoice
portfolio) straight into the event store; seeding is set-up, not measured. Then, with a 2-worker
gateway, a relay and a projector running as their own processes, it measures:
- P payments (default 50,000) recorded through HTTP by 50 concurrent clients: payments/s, p50/p99;
- then payments offered at a fixed rate (default 500/s, 15,000 of them, at most 100 in flight):
  the rate achieved and p50/p99 from each one's scheduled arrival;
- for both, CPU per payment in the gateway, relay, projector, PostgreSQL and Kafka;
- one `mtf collections-sweep` over the portfolio: seconds;
- GET /aging for the whole portfolio, 200 times: p50/p99, once while the projector is still
  absorbing the sweep's events and once after it caught up;
- then B more payments (default 50,000, each client's second invoice) sent as statements of 100 to
  POST /payment-batches by 4 concurrent senders: payments/s, p50/p99 per statement;
- peak RSS of the server processes, and a same-run baseline of raw event-store appends.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import (  # noqa: E402
    PeakRss,
    baseline_appends,
    closed_loop_posts,
    cpu_per_command,
    cpu_seconds,
    cpu_snapshot,
    ms,
    open_loop_posts,
    output_dir,
    percentile,
    print_cpu,
    start_processes,
    stop_on_sigterm,
    stop_processes,
    wait_ready,
)
from domain.billing import Totals
from domain.billing_run import BillingRun  # noqa: E402
from domain.client import Client  # noqa: E402
from domain.invoice import Invoice  # noqa: E402
from infra.devstack.local_kafka import free_port  # noqa: E402
from infra.eventstore.store import open_event_store  # noqa: E402
from infra.kernel.command_context import CommandContext  # noqa: E402
from schemas.envelopes import spec_for_stored_topic  # noqa: E402
from tests.support import AUDITOR, OPERATOR, fresh_settings, settings_env  # noqa: E402

TODAY = date(2027, 1, 15)
PERIODS = (("2026-09", date(2026, 10, 2)), ("2026-10", date(2026, 11, 2)))
SEED = CommandContext(actor="bench-seed", role="operator")
JSON_OPERATOR = {**OPERATOR, "content-type": "application/json"}


def seed(database_url: str, clients: int, batch: int = 1000) -> tuple[list[str], list[str]]:
    """Clients, their billing runs and two invoices each; returns client ids and first-invoice amounts."""
    store = open_event_store(database_url)
    runs = {
        period: BillingRun(
            period=period,
            billed_position=1,
            issue_date=issued,
            due_date=issued + timedelta(days=30),
            vat_rate=Decimal("0.20"),
            clients_total=clients,
            block_size=clients,  # one block, recorded whole below
        )
        for period, issued in PERIODS
    }
    store.save_as(SEED, *runs.values())
    ids, amounts, pending, number = [], [], [], 0
    for i in range(clients):
        client = Client(
            cin=f"BC{100000 + i}",
            full_name=f"Client {i}",
            email=f"c{i}@example.ma",
            address="Fes",
            phone=None,
        )
        pending.append(client)
        for index, (period, issued) in enumerate(PERIODS):
            number += 1
            net = Decimal(49 + (i % 5) * 50)
            line = {
                "line_no": 1,
                "kind": "recurring",
                "description": "Plan",
                "service": ("mobile", "internet", "landline")[i % 3],
                "net": f"{net:.2f}",
                "tax": f"{net * Decimal('0.2'):.2f}",
                "gross": f"{net * Decimal('1.2'):.2f}",
            }
            invoice = Invoice(
                client_id=client.id,
                period=period,
                number=f"FAC-2026-{number:06d}",
                run_id=runs[period].id,
                billed_position=1,
                issue_date=issued,
                due_date=issued + timedelta(days=30),
                vat_rate=Decimal("0.20"),
                lines=[line],
                net=net,
                tax=net * Decimal("0.2"),
                gross=net * Decimal("1.2"),
            )
            pending.append(invoice)
            if index == 0:
                amounts.append(line["gross"])
        ids.append(str(client.id))
        if len(pending) >= batch:
            store.save_as(SEED, *pending)
            pending = []
    if pending:
        store.save_as(SEED, *pending)
    for run in runs.values():  # finished runs: a gateway starting up would otherwise resume them
        run.record_block(0, clients, Totals.sum([]))
        run.finish_issuing()
        run.complete(documents=0)
    store.save_as(SEED, *runs.values())
    store.close()
    return ids, amounts


async def wait_projected(database_url: str, invoices: int, timeout: float = 1800) -> None:
    conn = await asyncpg.connect(database_url)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            try:
                if await conn.fetchval("SELECT count(*) FROM readmodel.invoice_register") >= invoices:
                    return
            except asyncpg.UndefinedTableError:
                pass
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    raise TimeoutError("the invoice read model did not catch up")


async def record_payments(
    base: str, client_ids: list[str], amounts: list[str], n: int, concurrency: int
) -> tuple[list[float], float, int]:
    """Pays each client's first invoice, one POST /payments each."""
    bodies = (
        orjson.dumps(
            {
                "client_id": client_ids[i % len(client_ids)],
                "amount": amounts[i % len(client_ids)],
                "method": "bank_transfer",
                "reference": f"VIR-{i}",
            }
        )
        for i in range(n)
    )
    return await closed_loop_posts(base, "/api/v1/payments", bodies, concurrency)


def partial_payment(client_ids: list[str]):
    """The i-th open-loop payment: 10.00 MAD towards a client's account, a fresh reference each."""

    def body(i: int) -> bytes:
        return orjson.dumps(
            {
                "client_id": client_ids[(i * 7919) % len(client_ids)],
                "amount": "10.00",
                "method": "cash",
                "reference": f"CAISSE-{i}",
            }
        )

    return body


async def record_batches(
    base: str, client_ids: list[str], amounts: list[str], n: int, size: int, concurrency: int
):
    """Pays each client's second invoice through /payment-batches, `size` payments per statement."""

    def statement(first: int) -> bytes:
        return orjson.dumps(
            {
                "payments": [
                    {
                        "client_id": client_ids[k % len(client_ids)],
                        "amount": amounts[k % len(client_ids)],
                        "method": "direct_debit",
                        "reference": f"PRL-{k}",
                    }
                    for k in range(first, min(first + size, n))
                ]
            }
        )

    return await closed_loop_posts(
        base, "/api/v1/payment-batches", (statement(first) for first in range(0, n, size)), concurrency
    )


async def wait_caught_up(database_url: str, timeout: float = 1800) -> None:
    """Until every projection has applied the whole log."""
    conn = await asyncpg.connect(database_url)
    started = time.perf_counter()
    try:
        latest = await conn.fetch(
            "SELECT notification_id, topic FROM eventstore.mtf_events ORDER BY notification_id DESC LIMIT 1000"
        )
        head = next(
            r["notification_id"] for r in latest if spec_for_stored_topic(r["topic"]).public
        )  # markers are never published
        while time.perf_counter() - started < timeout:
            if await conn.fetchval("SELECT min(position) FROM readmodel.projection_progress") >= head:
                return
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
    raise TimeoutError("the projections did not catch up with the log")


async def aging_latencies(base: str, rounds: int) -> list[float]:
    latencies = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(rounds):
            started = time.perf_counter()
            response = await client.get(
                "/api/v1/aging", params={"as_of": TODAY.isoformat(), "limit": 50}, headers=AUDITOR
            )
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50_000, help="clients; each has two invoices")
    parser.add_argument("--payments", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rate", type=float, default=500, help="payments/s offered in the open-loop phase")
    parser.add_argument("--open-payments", type=int, default=15_000, help="payments in the open-loop phase")
    parser.add_argument(
        "--batch-payments", type=int, default=50_000, help="payments sent as statements to /payment-batches"
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--batch-concurrency", type=int, default=4)
    args = parser.parse_args()

    settings = fresh_settings(kafka=True)
    port = free_port()
    env = {
        **settings_env(settings),
        "MTF_FIXED_TODAY": TODAY.isoformat(),
        "MTF_HTTP_PORT": str(port),
        "MTF_LOG_LEVEL": "warning",
    }
    base = f"http://127.0.0.1:{port}"
    seeded = time.perf_counter()
    client_ids, amounts = await asyncio.to_thread(seed, settings.database_url, args.clients)
    seed_s = time.perf_counter() - seeded
    invoices = 2 * args.clients
    processes = start_processes(env, 2)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            await wait_ready(client, timeout=900)  # the relay publishes the seeded log first
        await wait_projected(settings.database_url, invoices)
        with PeakRss([p.pid for p in processes]) as rss:
            cpu_before = cpu_snapshot(processes)
            paid, paid_s, errors = await record_payments(
                base, client_ids, amounts, args.payments, args.concurrency
            )
            cpu_per_payment = cpu_per_command(cpu_before, cpu_snapshot(processes), args.payments)
            cpu_before = cpu_snapshot(processes)
            offered, offered_s, offered_errors = await open_loop_posts(
                base, "/api/v1/payments", partial_payment(client_ids), args.open_payments, args.rate, 100
            )
            cpu_per_offered = cpu_per_command(cpu_before, cpu_snapshot(processes), args.open_payments)
            swept = time.perf_counter()
            sweep = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "infra.runtime.cli",
                    "collections-sweep",
                    "--as-of",
                    TODAY.isoformat(),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            sweep_s = time.perf_counter() - swept
            if sweep.returncode != 0:
                raise SystemExit(f"sweep failed: {sweep.stdout[-2000:]} {sweep.stderr[-2000:]}")
            await wait_projected(settings.database_url, invoices)
            aging = await aging_latencies(base, 200)
            await wait_caught_up(settings.database_url)
            settled_aging = await aging_latencies(base, 200)
            # Last, so that the sweep and the aging query see the portfolio the single payments left.
            cpu_before = [cpu_seconds(p) for p in processes]
            batched, batched_s, batch_errors = await record_batches(
                base, client_ids, amounts, args.batch_payments, args.batch_size, args.batch_concurrency
            )
            cpu_per_batched = [
                (cpu_seconds(p) - b) / max(1, args.batch_payments) * 1000
                for p, b in zip(processes, cpu_before)
            ]
    finally:
        stop_processes(processes)
    appends = await asyncio.to_thread(baseline_appends, 3000)
    rate = args.payments / paid_s
    print(
        f"\ncollections benchmark: {args.clients} clients, {invoices} invoices "
        f"(seeded in {seed_s:.1f} s, not measured); "
        f"gateway x2, relay, projector as separate processes; Kafka and PostgreSQL local"
    )
    print(
        f"  payments through HTTP      {rate:10.1f} /s   ({args.payments} payments, {args.concurrency} "
        f"concurrent; errors: {errors})"
    )
    print(f"  payment latency p50 / p99  {ms(percentile(paid, 50))} / {ms(percentile(paid, 99))} ms")
    print_cpu(cpu_per_payment)
    print(
        f"  payments offered at {args.rate:.0f}/s  achieved {args.open_payments / offered_s:.1f}/s, p50 / p99 "
        f"{ms(percentile(offered, 50))} / {ms(percentile(offered, 99))} ms ({args.open_payments} payments, at most "
        f"100 in flight, latency from the scheduled arrival; errors: {offered_errors})"
    )
    print_cpu(cpu_per_offered)
    if args.batch_payments:
        batch_rate = args.batch_payments / batched_s
        print(
            f"  payments in statements     {batch_rate:10.1f} /s   ({args.batch_payments} payments, "
            f"{args.batch_size} per POST /payment-batches, "
            f"{args.batch_concurrency} concurrent; errors: {batch_errors})"
        )
        print(
            f"  statement latency p50/p99  {ms(percentile(batched, 50))} / {ms(percentile(batched, 99))} ms"
        )
        print(
            f"  CPU per payment            gateway {cpu_per_batched[0]:.2f} ms, relay {cpu_per_batched[1]:.2f} ms, "
            f"projector {cpu_per_batched[2]:.2f} ms"
        )
    print(
        f"  collections sweep          {sweep_s:10.2f} s    (as of {TODAY}, whole portfolio, as its own "
        f"process: {sweep.stdout.strip()[-200:]})"
    )
    print(
        f"  aging p50 / p99            {ms(percentile(aging, 50))} / {ms(percentile(aging, 99))} ms   "
        "(portfolio, 200 requests, while the projector absorbs the sweep)"
    )
    print(
        f"  aging p50 / p99, settled   {ms(percentile(settled_aging, 50))} / {ms(percentile(settled_aging, 99))} ms   "
        "(the same, once the projections have applied the whole log)"
    )
    print(f"  peak RSS (gateway workers + relay + projector)  {rss.peak / 2**20:.1f} MiB")
    print(f"  servers' output in {output_dir()}")
    print(
        f"baseline, same run: raw event-store appends/s {appends:.1f} (one event per save)  ratio "
        f"payments/appends = {rate / appends:.2f}"
    )


if __name__ == "__main__":
    stop_on_sigterm()
    asyncio.run(main())
