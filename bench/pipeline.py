"""Pipeline benchmark: N ProvisionContract commands through the HTTP gateway, through Kafka, into the read models.

Prints commands/s, latency percentiles, projection catch-up time and peak RSS of the server,
plus two baselines measured in the same run: raw event-store appends/s and raw aiokafka produce/s.
Needs MTF_DATABASE_URL and MTF_KAFKA_BOOTSTRAP (make bench starts both).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

import asyncpg
import httpx
import orjson
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import ADMIN, OPERATOR, fresh_settings, settings_env  # noqa: E402

JSON_OPERATOR = {**OPERATOR, "content-type": "application/json"}
from bench.http_load import Connection  # noqa: E402
from infra.devstack.local_kafka import free_port  # noqa: E402
from infra.kernel import server_timing  # noqa: E402


class Answer(NamedTuple):
    at: float  # perf_counter() when the answer came
    body: bytes | None  # the answer of an accepted (201) command, None for a refused one
    timing: str | None = None  # its Server-Timing header: where the gateway spent its time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Sampling:
    """Runs `_run` on a thread of its own for the length of a `with` block; `_run` loops until `_stop` is set."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class PeakRss(Sampling):
    """Samples the summed RSS of process trees every 100 ms.

    The trees are walked once a second: walking them takes about a millisecond of CPU (every
    process on the machine is read), and that CPU is taken from the system being measured."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__()
        self.roots = [psutil.Process(pid) for pid in pids]
        self.peak = 0
        self.peaks = [0] * len(pids)  # each tree's own peak (they need not peak together)

    def _trees(self) -> list[list[psutil.Process]]:
        return [[root, *root.children(recursive=True)] for root in self.roots]

    def _run(self) -> None:
        trees, walked = [], 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - walked > 1:
                    trees, walked = self._trees(), time.monotonic()
                sizes = [sum(p.memory_info().rss for p in tree) for tree in trees]
                self.peak = max(self.peak, sum(sizes))
                self.peaks = [max(peak, size) for peak, size in zip(self.peaks, sizes)]
            except psutil.Error:
                walked = 0.0
            time.sleep(0.1)

    def each(self, names: list[str]) -> str:
        return ", ".join(f"{name} {peak / 2**20:.1f}" for name, peak in zip(names, self.peaks))


def spread(seconds: list[float]) -> str:
    return f"p50 / p99 / max {ms(percentile(seconds, 50))} / {ms(percentile(seconds, 99))} / {ms(max(seconds))} ms"


def stalls(seconds: list[float], over: float) -> str:
    """How many waits lasted over `over`, and how long they held in all."""
    stalled = [s for s in seconds if s > over]
    return f"{len(stalled)} over {over * 1000:.0f} ms, {sum(stalled):.2f} s in them"


class FlushProbe(Sampling):
    """Every 20 ms, 8 KB written and flushed (`fdatasync`) in `directory`, by default the temporary
    directory, on the volume where `make bench`'s PostgreSQL keeps its data: the disk's flush latency.

    Every durable append waits for a flush of the WAL. A flush stall of 300 ms delays every command
    taken meanwhile, whatever the code, so a run's p99 means little without this beside it."""

    INTERVAL_S = 0.02
    STALL_S = 0.05

    def __init__(self, directory: str | None = None) -> None:
        super().__init__()
        self.directory = directory or tempfile.gettempdir()
        self.latencies: list[float] = []
        self.seconds = 0.0  # how long the probe ran

    def _run(self) -> None:
        opened = time.perf_counter()
        with tempfile.NamedTemporaryFile(prefix="mtf-bench-flush-", dir=self.directory) as probe:
            while not self._stop.is_set():
                probe.write(b"x" * 8192)
                started = time.perf_counter()
                os.fdatasync(probe.fileno())
                self.latencies.append(time.perf_counter() - started)
                self.seconds = time.perf_counter() - opened
                self._stop.wait(self.INTERVAL_S)

    def wait_by_time(self, q: float) -> float:
        """The q-th percentile of the flush wait of a command arriving at a random moment of the run.

        A flush asked for during a stall finishes no earlier than the stall, so each stall of d
        seconds gives waits spread evenly from d down to 0 over d seconds of the run; between the
        probe's flushes the wait is taken as nil. One 300 ms stall is a single sample of the
        probe but 0.3 s of arrivals, which is why this, not the flushes' own p99, is the floor of
        a run's p99. Found by bisection: the wait w with sum(max(0, d - w)) = (1 - q/100) * run."""
        share, low, high = (1 - q / 100) * self.seconds, 0.0, max(self.latencies, default=0.0)
        for _ in range(40):
            middle = (low + high) / 2
            low, high = (
                (middle, high) if sum(max(0.0, d - middle) for d in self.latencies) > share else (low, middle)
            )
        return high

    def summary(self) -> str:
        if not self.latencies:
            return "no flush finished during the phase"
        return (
            f"{spread(self.latencies)} ({len(self.latencies)} flushes of 8 KB, {stalls(self.latencies, self.STALL_S)});"
            f" p99 by time {ms(self.wait_by_time(99))} ms"
        )


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
        body = {
            "name": f"Mobile {fee}",
            "service": "mobile",
            "family": "4g",
            "monthly_fee": fee,
            "components": [{"kind": "data", "gb": 10}],
        }
        offers.append((await client.post("/api/v1/offers", json=body, headers=ADMIN)).json()["id"])
    semaphore = asyncio.Semaphore(50)

    async def one(i: int) -> str:
        body = {
            "cin": f"BE{100000 + i}",
            "full_name": f"Client {i}",
            "email": f"c{i}@example.ma",
            "address": "Casablanca",
        }
        async with semaphore:
            response = await client.post("/api/v1/clients", json=body, headers=OPERATOR)
        return response.json()["id"]

    return list(await asyncio.gather(*(one(i) for i in range(clients)))), offers


def _contract_body(i: int, client_ids, offer_ids) -> bytes:
    body = {
        "client_id": client_ids[i % len(client_ids)],
        "offer_id": offer_ids[i % len(offer_ids)],
        "commitment_months": 12,
    }
    return orjson.dumps({**body, "intent": "new_line"})


async def _post(conn: Connection, body: bytes, path: str = "/api/v1/contracts") -> bytes | None:
    """The answer's body if the command was accepted (201), else None."""
    status, answer = await conn.post(path, body, JSON_OPERATOR)
    return answer if status == 201 else None


def _answer(conn: Connection, accepted: bytes | None) -> Answer:
    return Answer(time.perf_counter(), accepted, conn.server_timing)


async def _connections(base: str, count: int) -> list[Connection]:
    host, port = base.removeprefix("http://").split(":")
    return [await Connection.open(host, int(port)) for _ in range(count)]


async def closed_loop_posts(
    base: str, path: str, bodies: Iterable[bytes], concurrency: int, answered: list[Answer] | None = None
) -> tuple[list[float], float, int]:
    """`concurrency` clients, each POSTing the next body as soon as the last one answered; errors are non-201 answers.

    `answered`, if given, receives each answer, in order."""
    latencies: list[float] = []
    answered = [] if answered is None else answered
    errors = 0
    queue = iter(bodies)
    connections = await _connections(base, concurrency)

    async def client(conn: Connection) -> None:
        nonlocal errors
        for body in queue:
            sent = time.perf_counter()
            accepted = await _post(conn, body, path)
            answered.append(_answer(conn, accepted))
            latencies.append(answered[-1].at - sent)
            errors += accepted is None

    try:
        started = time.perf_counter()
        await asyncio.gather(*(client(conn) for conn in connections))
        return latencies, time.perf_counter() - started, errors
    finally:
        for conn in connections:
            conn.close()


async def closed_loop(
    base: str, n: int, concurrency: int, client_ids, offer_ids, answered: list[Answer]
) -> tuple[list[float], float, int]:
    bodies = (_contract_body(i, client_ids, offer_ids) for i in range(n))
    return await closed_loop_posts(base, "/api/v1/contracts", bodies, concurrency, answered)


async def open_loop(
    base: str,
    n: int,
    rate: float,
    max_in_flight: int,
    offset: int,
    client_ids,
    offer_ids,
    answered: list[Answer],
):
    """Contracts provisioned at a fixed rate (`open_loop_posts`)."""
    return await open_loop_posts(
        base,
        "/api/v1/contracts",
        lambda i: _contract_body(offset + i, client_ids, offer_ids),
        n,
        rate,
        max_in_flight,
        answered,
    )


async def open_loop_posts(
    base: str,
    path: str,
    body: Callable[[int], bytes],
    n: int,
    rate: float,
    max_in_flight: int,
    answered: list[Answer] | None = None,
):
    """Commands arrive at a fixed rate whatever the latency, on up to `max_in_flight` connections.

    A command's latency runs from its scheduled arrival, so time spent waiting for a free
    connection counts too."""
    latencies: list[float] = []
    answered = [] if answered is None else answered
    errors = 0
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for conn in await _connections(base, max_in_flight):
        idle.put_nowait(conn)

    async def one(i: int, arrival: float) -> None:
        nonlocal errors
        conn = await idle.get()
        try:
            accepted = await _post(conn, body(i), path)
            answered.append(_answer(conn, accepted))
        finally:
            idle.put_nowait(conn)
        latencies.append(answered[-1].at - arrival)
        errors += accepted is None

    started = time.perf_counter()
    tasks = []
    try:
        for i in range(n):
            arrival = started + i / rate
            if (delay := arrival - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, arrival)))
        await asyncio.gather(*tasks)
        return latencies, time.perf_counter() - started, errors
    finally:
        while not idle.empty():
            idle.get_nowait().close()


# A contract counts as visible once it is in the contract summary with its audit trail (created, activated).
_VISIBLE = """
SELECT s.contract_id FROM readmodel.contract_summary AS s
WHERE s.contract_id = ANY($1::uuid[])
  AND (SELECT count(*) FROM readmodel.contract_audit_trail AS a WHERE a.contract_id = s.contract_id) >= 2
"""
WINDOW = 500  # answers looked up per query


class Visibility:
    """Walks the answers in order to the oldest one whose contract the read models do not show yet.

    Each look-up reads the next answers by primary key, so it costs the same at the 50,000th
    contract as at the first. (A `count(*)` of the read model, as before, scanned the growing
    table ten times a second, on the PostgreSQL the benchmark measures.)"""

    def __init__(self, conn: asyncpg.Connection, answered: list[Answer]) -> None:
        self.conn, self.answered, self.oldest = conn, answered, 0

    async def oldest_unseen(self) -> Answer | None:
        """The oldest accepted answer not yet visible, or None if every answer so far is."""
        while self.oldest < len(self.answered):
            window = self.answered[self.oldest : self.oldest + WINDOW]
            ids = [orjson.loads(a.body)["id"] if a.body is not None else None for a in window]
            seen = {str(row[0]) for row in await self.conn.fetch(_VISIBLE, [i for i in ids if i is not None])}
            for answer, contract_id in zip(window, ids):
                if contract_id is not None and contract_id not in seen:
                    return answer
                self.oldest += 1
        return None


class LagProbe:
    """Every 100 ms, how long the oldest answered command has waited to show in the contract read models.

    A sample with nothing waiting counts as zero lag."""

    def __init__(self, database_url: str, answered: list[Answer]) -> None:
        self.database_url, self.answered, self.samples = database_url, answered, []
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> LagProbe:
        self._conn = await asyncpg.connect(self.database_url)
        self._visibility = Visibility(self._conn, self.answered)
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        while True:
            unseen = await self._visibility.oldest_unseen()
            self.samples.append(time.perf_counter() - unseen.at if unseen else 0.0)
            await asyncio.sleep(0.1)

    async def __aexit__(self, *exc) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self._conn.close()


async def wait_projected(database_url: str, answered: list[Answer], timeout: float = 600) -> float:
    """Seconds from now until every accepted answer's contract is visible."""
    conn = await asyncpg.connect(database_url)
    visibility = Visibility(conn, answered)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            if await visibility.oldest_unseen() is None:
                return time.perf_counter() - started
            await asyncio.sleep(0.01)
    finally:
        await conn.close()
    raise TimeoutError("projections did not catch up")


def baseline_appends(n: int) -> float:
    from domain.client import Client
    from infra.eventstore.store import open_event_store
    from infra.kernel.command_context import CommandContext

    store = open_event_store(fresh_settings(kafka=False).database_url)
    ctx = CommandContext(actor="bench", role="operator")
    started = time.perf_counter()
    for i in range(n):
        store.save_as(
            ctx, Client(cin=f"ZZ{100000 + i}", full_name="x", email="x@y.ma", address="z", phone=None)
        )
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


@cache
def output_dir() -> Path:
    """Where the servers' output goes: a worker's restart or a traceback stays readable after the run."""
    return Path(tempfile.mkdtemp(prefix="mtf-bench-"))


def start_server(env: dict[str, str], command: str, *args: str) -> subprocess.Popen:
    """`mtf <command> <args>` as its own process, its output kept in `output_dir()`."""
    with open(output_dir() / f"{command}.log", "wb") as output:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "infra.runtime.cli", command, *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def start_processes(env: dict[str, str], gateway_workers: int) -> list[subprocess.Popen]:
    return [
        start_server(env, "gateway", "--workers", str(gateway_workers)),
        start_server(env, "relay"),
        start_server(env, "project"),
    ]


def stop_on_sigterm() -> None:
    """A terminated bench still stops the servers it started: SIGTERM unwinds through `finally`."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def stop_processes(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) of a process and its children so far."""
    try:
        root = psutil.Process(process.pid)
        return sum(sum(p.cpu_times()[:2]) for p in (root, *root.children(recursive=True)))
    except psutil.Error:
        return 0.0


def infrastructure_cpu() -> dict[str, float]:
    """CPU seconds so far of the local PostgreSQL backends, the Kafka JVM and this load generator.

    PostgreSQL backends that exited take their CPU with them, so that figure is a lower bound.
    """
    totals = {"postgres": 0.0, "kafka": 0.0, "load generator": sum(psutil.Process().cpu_times()[:2])}
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            name = process.info["name"] or ""
            role = (
                "postgres"
                if name.startswith("postgres")
                else "kafka"
                if "kafka.Kafka" in " ".join(process.info["cmdline"] or [])
                else None
            )
            if role:
                totals[role] += sum(process.cpu_times()[:2])
        except psutil.Error:
            continue
    return totals


SERVERS = ("gateway", "relay", "projector")  # the order start_processes starts them in


def cpu_snapshot(processes: list[subprocess.Popen]) -> dict[str, float]:
    """CPU seconds so far of the gateway, relay and projector, and of the infrastructure beside them."""
    return {**dict(zip(SERVERS, map(cpu_seconds, processes))), **infrastructure_cpu()}


def cpu_per_command(before: dict[str, float], after: dict[str, float], commands: int) -> dict[str, float]:
    """Milliseconds of CPU per command, by role, between two snapshots."""
    return {role: (after[role] - before[role]) / commands * 1000 for role in before}


class WalWritten(NamedTuple):
    """PostgreSQL's WAL over a phase, from every process that wrote to it (appends, projections, the relay's
    position)."""

    bytes: int
    # of the records, the share that were full-page images (first change to a page after a checkpoint)
    full_page_share: float
    # net growth of pg_wal in 16 MB files: each new one is zero-filled by the commit that crosses into it
    files_added: int

    def summary(self, commands: int) -> str:
        return (
            f"{self.bytes / commands / 1024:.1f} KB per command, {self.full_page_share:.0%} of its records "
            "full-page images;"
            f" pg_wal grew by {self.files_added} files of 16 MB"
        )


class WalProbe:
    """pg_stat_wal and the WAL directory before and after a phase."""

    _READ = (
        "SELECT wal_records, wal_fpi, wal_bytes, "
        "(SELECT count(*) FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$') FROM pg_stat_wal"
    )

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    async def _read(self) -> tuple[int, int, int, int]:
        conn = await asyncpg.connect(self.database_url)
        try:
            return tuple(await conn.fetchrow(self._READ))
        finally:
            await conn.close()

    async def __aenter__(self) -> WalProbe:
        self._before = await self._read()
        return self

    async def __aexit__(self, *exc) -> None:
        records, fpi, written, files = (
            after - before for after, before in zip(await self._read(), self._before)
        )
        self.written = WalWritten(written, fpi / records if records else 0.0, files)


def print_cpu(per_command: dict[str, float]) -> None:
    total = sum(per_command.values())
    print("  CPU per command            " + ", ".join(f"{r} {per_command[r]:.2f} ms" for r in SERVERS))
    print(
        "  ... and beside them        "
        + ", ".join(f"{r} {v:.2f} ms" for r, v in per_command.items() if r not in SERVERS)
        + f"; all together {total:.2f} ms = at most {2000 / total:.0f} commands/s on 2 cores"
    )


PHASES = ("queue", "command", "cpu", "append", "resume", "app")  # see infra/kernel/server_timing.py


def print_phases(answers: list[Answer]) -> None:
    """Where the gateway spent the accepted commands' time, from their Server-Timing headers. What
    the client measured beyond `app` was spent outside the gateway's code: waiting for a free
    connection (open loop), in the kernel, and in the gateway's socket before its event loop read it."""
    timed = [server_timing.parsed(a.timing) for a in answers if a.body is not None and a.timing]
    if timed:
        cells = (
            f"{name} {percentile([t[name] for t in timed], 50):.1f} / {percentile([t[name] for t in timed], 99):.1f}"
            for name in PHASES
        )
        print("  in the gateway, p50 / p99 ms " + ", ".join(cells))


def _lag(probe: LagProbe) -> str:
    return f"{spread(probe.samples)} ({len(probe.samples)} samples, 100 ms apart)"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


@dataclass
class OpenPhase:
    """One open-loop phase: `n` commands arriving at `rate`."""

    rate: float
    n: int
    latencies: list[float]
    elapsed: float
    errors: int
    answers: list[Answer]
    lag: Any
    wal: Any
    flushes: Any
    catch_up: float
    cpu: Any


async def open_phase(base, database_url, processes, rate, n, concurrency, offset, client_ids, offer_ids):
    before = cpu_snapshot(processes)
    answers: list[Answer] = []
    with FlushProbe() as flushes:
        async with LagProbe(database_url, answers) as lag, WalProbe(database_url) as wal:
            latencies, elapsed, errors = await open_loop(
                base, n, rate, concurrency, offset, client_ids, offer_ids, answers
            )
    catch_up = await wait_projected(database_url, answers)
    cpu = cpu_per_command(before, cpu_snapshot(processes), n)
    return OpenPhase(rate, n, latencies, elapsed, errors, answers, lag, wal, flushes, catch_up, cpu)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000, help="commands in the closed-loop phase")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[300.0, 500.0],
        help="arrival rate of each open-loop phase, commands/s (issue 2's target is at 300/s, issue 28's at 500/s)",
    )
    parser.add_argument("--gateway-workers", type=int, default=2)
    parser.add_argument(
        "--settle",
        type=float,
        default=1.0,
        help="seconds between the closed loop and each open one; after a long closed loop the system needs "
        "a minute or more to recover its tail (see docs/operations.md)",
    )
    args = parser.parse_args()
    open_ns = [min(args.n, int(rate * 10)) for rate in args.rate]

    settings = fresh_settings(kafka=True)
    env = settings_env(settings)
    port = free_port()
    env.update({"MTF_HTTP_PORT": str(port), "MTF_LOG_LEVEL": "warning", "MTF_SERVER_TIMING": "true"})
    base = f"http://127.0.0.1:{port}"
    processes = start_processes(env, args.gateway_workers)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            await wait_ready(client)
            client_ids, offer_ids = await setup_parties(client, max(1, int((args.n + sum(open_ns)) * 0.6)))
        with PeakRss([p.pid for p in processes]) as rss:
            before = cpu_snapshot(processes)
            closed_answers: list[Answer] = []
            with FlushProbe() as closed_flushes:
                async with (
                    LagProbe(settings.database_url, closed_answers) as closed_lag,
                    WalProbe(settings.database_url) as closed_wal,
                ):
                    closed, elapsed, closed_errors = await closed_loop(
                        base, args.n, args.concurrency, client_ids, offer_ids, closed_answers
                    )
            lag = await wait_projected(settings.database_url, closed_answers)
            closed_cpu = cpu_per_command(before, cpu_snapshot(processes), args.n)
            phases = []
            for i, (rate, open_n) in enumerate(zip(args.rate, open_ns)):
                await asyncio.sleep(args.settle)
                offset = args.n + sum(open_ns[:i])
                phases.append(
                    await open_phase(
                        base, settings.database_url, processes, rate, open_n, args.concurrency, offset,
                        client_ids, offer_ids,
                    )
                )  # fmt: skip
    finally:
        stop_processes(processes)

    appends = await asyncio.to_thread(baseline_appends, min(args.n, 5000))
    produce = await baseline_produce(settings.kafka_bootstrap, args.n)
    throughput = args.n / elapsed
    print("\npipeline benchmark: ProvisionContract over HTTP -> event store -> relay -> Kafka -> projections")
    print(
        f"  topology: gateway x{args.gateway_workers} workers, relay, projector as separate processes; Kafka "
        "and PostgreSQL local; 2 cores shared"
    )
    print(f"closed loop: {args.n} commands, {args.concurrency} concurrent clients")
    print(f"  commands/s                 {throughput:10.1f}   (errors: {closed_errors})")
    print(
        f"  latency p50 / p99 / max    {ms(percentile(closed, 50))} / {ms(percentile(closed, 99))} / "
        f"{ms(max(closed))} ms"
    )
    print(f"  projection lag while loaded {_lag(closed_lag)}")
    print(f"  projection catch-up        {lag:10.3f} s after the last command answered")
    print_phases(closed_answers)
    print(f"  disk flush beside it       {closed_flushes.summary()}")
    print(f"  PostgreSQL's WAL           {closed_wal.written.summary(args.n)}")
    print_cpu(closed_cpu)
    for phase in phases:
        print_open_phase(phase, args.concurrency)
    print(f"peak RSS (gateway workers + relay + projector)  {rss.peak / 2**20:.1f} MiB")
    print(f"servers' output in {output_dir()}")
    print("baselines, same run:")
    print(
        f"  raw event-store appends/s  {appends:10.1f}   (one event per save, sequential)  ratio "
        f"commands/appends = {throughput / appends:.2f}"
    )
    print(
        f"  raw aiokafka produce/s     {produce:10.1f}   (idempotent, acks=all)            ratio "
        f"commands/produce = {throughput / produce:.3f}"
    )
    print("targets (2-core machine):")
    for line in verdicts(throughput, percentile(closed, 99), phases):
        print("  " + line)


def print_open_phase(phase: OpenPhase, concurrency: int) -> None:
    print(f"open loop: {phase.n} commands arriving at {phase.rate:.0f}/s (at most {concurrency} in flight)")
    print(f"  achieved commands/s        {phase.n / phase.elapsed:10.1f}   (errors: {phase.errors})")
    print(
        f"  latency p50 / p99 / max    {ms(percentile(phase.latencies, 50))} / "
        f"{ms(percentile(phase.latencies, 99))} / {ms(max(phase.latencies))} ms"
    )
    print(f"  projection lag while loaded {_lag(phase.lag)}")
    print(f"  projection catch-up        {phase.catch_up:10.3f} s after the last command answered")
    print_phases(phase.answers)
    print(f"  disk flush beside it       {phase.flushes.summary()}")
    print(f"  PostgreSQL's WAL           {phase.wal.written.summary(phase.n)}")
    print_cpu(phase.cpu)


def verdicts(throughput: float, closed_p99: float, phases: list[OpenPhase]) -> list[str]:
    """Each target against this run. Issue 2 reads its p99 target both ways: 100 always in flight (closed
    loop; by Little's law that needs 100 / 0.05 = 2,000 commands/s), and 300/s offered with at most 100 in
    flight; beside the second, the floor the disk set during that phase (FlushProbe.wait_by_time). Issue 28
    asks 800/s in the closed loop and a p99 of 30 ms at 500/s offered."""

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = [
        f"issue 2: at least 300 commands/s through HTTP: {throughput:.1f}/s, {met(throughput >= 300)}",
        f"issue 2: p99 under 50 ms at 100 concurrent (closed loop): {ms(closed_p99)} ms, {met(closed_p99 < 0.05)}",
        f"issue 28: at least 800 commands/s at 100 concurrent: {throughput:.1f}/s, {met(throughput >= 800)}",
    ]
    for phase, target, issue in _phase_targets(phases):
        p99 = percentile(phase.latencies, 99)
        floor = phase.flushes.wait_by_time(99) if phase.flushes.latencies else float("nan")
        lines.append(
            f"issue {issue}: p99 under {target * 1000:.0f} ms at {phase.rate:.0f}/s offered: {ms(p99)} ms, "
            f"{met(p99 < target)} (the disk's flush stalls alone set a p99 of {ms(floor)} ms during the phase)"
        )
        if issue == 2:
            lag_p99 = percentile(phase.lag.samples, 99)
            lines.append(
                f"issue 2: projection lag under 1 s at {phase.rate:.0f}/s offered (p99): {ms(lag_p99)} ms, "
                f"{met(lag_p99 < 1)}"
            )
    return lines


def _phase_targets(phases: list[OpenPhase]) -> list[tuple[OpenPhase, float, int]]:
    targets = {300.0: (0.05, 2), 500.0: (0.03, 28)}
    return [(phase, *targets[phase.rate]) for phase in phases if phase.rate in targets]


if __name__ == "__main__":
    stop_on_sigterm()
    asyncio.run(main())
