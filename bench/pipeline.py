"""Pipeline benchmark: N ProvisionContract commands through the HTTP gateway, through Kafka, into the read models.

Prints commands/s, latency percentiles, projection catch-up time and peak RSS of the server,
plus two baselines measured in the same run: raw event-store appends/s and raw aiokafka produce/s.
Needs MTF_DATABASE_URL and MTF_KAFKA_BOOTSTRAP (make bench starts both).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import ADMIN, OPERATOR, fresh_settings, settings_env  # noqa: E402
from infra.local_kafka import free_port  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class PeakRss:
    """Samples the RSS of a process tree every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


async def wait_ready(client: httpx.AsyncClient, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (await client.get("/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("server not ready")


async def setup_parties(client: httpx.AsyncClient, clients: int) -> tuple[list[str], list[str]]:
    offers = []
    for fee in ("49.00", "99.00", "199.00"):
        body = {"name": f"Mobile {fee}", "service": "mobile", "monthly_fee": fee, "components": {"data_gb": 10}}
        offers.append((await client.post("/api/v1/offers", json=body, headers=ADMIN)).json()["id"])
    semaphore = asyncio.Semaphore(50)

    async def one(i: int) -> str:
        body = {"cin": f"BE{100000 + i}", "full_name": f"Client {i}", "email": f"c{i}@example.ma", "address": "Casablanca"}
        async with semaphore:
            response = await client.post("/api/v1/clients", json=body, headers=OPERATOR)
        return response.json()["id"]

    return list(await asyncio.gather(*(one(i) for i in range(clients)))), offers


async def provision_all(client: httpx.AsyncClient, n: int, concurrency: int, client_ids, offer_ids) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    queue = iter(range(n))

    async def worker() -> None:
        nonlocal errors
        for i in queue:
            body = {"client_id": client_ids[i % len(client_ids)], "offer_id": offer_ids[i % len(offer_ids)], "commitment_months": 12}
            started = time.perf_counter()
            response = await client.post("/api/v1/contracts", json=body, headers=OPERATOR)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 201

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, errors


async def wait_projected(database_url: str, n: int, timeout: float = 600) -> float:
    conn = await asyncpg.connect(database_url)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            count = await conn.fetchval("SELECT count(*) FROM readmodel.contract_summary WHERE status = 'active'")
            trail = await conn.fetchval("SELECT count(*) FROM readmodel.contract_audit_trail")
            if count >= n and trail >= 2 * n:
                return time.perf_counter() - started
            await asyncio.sleep(0.01)
    finally:
        await conn.close()
    raise TimeoutError("projections did not catch up")


def baseline_appends(database_url: str, n: int) -> float:
    from domain.client import Client
    from infra.command_context import CommandContext
    from infra.event_store import open_event_store

    store = open_event_store(fresh_settings(kafka=False).database_url)
    ctx = CommandContext(actor="bench", role="operator")
    started = time.perf_counter()
    for i in range(n):
        store.save_as(ctx, Client(cin=f"ZZ{100000 + i}", full_name="x", email="x@y.ma", address="z", phone=None))
    elapsed = time.perf_counter() - started
    store.close()
    return n / elapsed


async def baseline_produce(bootstrap: str, n: int) -> float:
    from aiokafka import AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    topic = f"bench-baseline-{uuid.uuid4().hex[:6]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)])
    await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    payload = b"x" * 700  # about the size of a ContractProvisioned CloudEvent
    try:
        await producer.send_and_wait(topic, payload)  # metadata warm-up excluded from timing
        started = time.perf_counter()
        futures = [await producer.send(topic, payload, key=str(i).encode()) for i in range(n)]
        await asyncio.gather(*futures)
        return n / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()

    settings = fresh_settings(kafka=True)
    env = settings_env(settings)
    port = free_port()
    env.update({"MTF_HTTP_PORT": str(port), "MTF_LOG_LEVEL": "warning"})
    server = subprocess.Popen([sys.executable, "-m", "infra.cli", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits) as client:
            await wait_ready(client)
            client_ids, offer_ids = await setup_parties(client, max(1, int(args.n * 0.6)))
            with PeakRss(server.pid) as rss:
                latencies, elapsed, errors = await provision_all(client, args.n, args.concurrency, client_ids, offer_ids)
                lag = await wait_projected(settings.database_url, args.n)
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    appends = await asyncio.to_thread(baseline_appends, settings.database_url, min(args.n, 5000))
    produce = await baseline_produce(settings.kafka_bootstrap, args.n)
    throughput = args.n / elapsed
    print(f"\npipeline benchmark: {args.n} ProvisionContract commands over HTTP, concurrency {args.concurrency}, via Kafka")
    print(f"  commands/s                 {throughput:10.1f}   (errors: {errors})")
    print(f"  latency p50 / p99 / max    {percentile(latencies, 50)*1000:8.1f} / {percentile(latencies, 99)*1000:.1f} / {max(latencies)*1000:.1f} ms")
    print(f"  projection catch-up        {lag:10.3f} s after the last command answered")
    print(f"  peak RSS (server)          {rss.peak / 2**20:10.1f} MiB")
    print("baselines, same run:")
    print(f"  raw event-store appends/s  {appends:10.1f}   (one event per save, sequential)  ratio commands/appends = {throughput / appends:.2f}")
    print(f"  raw aiokafka produce/s     {produce:10.1f}   (idempotent, acks=all)            ratio commands/produce = {throughput / produce:.3f}")


if __name__ == "__main__":
    asyncio.run(main())
