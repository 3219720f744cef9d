"""Composes a process from its roles: gateway, relay, projector.

`mtf run` takes all three in one process; `mtf gateway|relay|project` take one each.
Without Kafka, the relay feeds the projector in-process and there is no consumer.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Iterable, TypeVar

import asyncpg
from rich.console import Console

from domain.operator import Operator
from infra.devstack.embedded_postgres import EmbeddedPostgres
from infra.eventstore.sealing_migration import seal_stored_personal_data
from infra.eventstore.store import PostgresEventStore, open_event_store
from infra.kernel import heap, metrics, server_timing, telemetry
from infra.kernel.clock import Clock, clock_from
from infra.kernel.database import require_utf8
from infra.kernel.settings import Settings
from infra.messaging import notifications
from infra.messaging.kafka import InProcessSink, KafkaSink, ensure_topics
from infra.messaging.relay import Relay
from infra.pdf import fonts
from infra.pdf import pool as pdf_pool
from infra.runtime.features import PROJECTIONS
from infra.runtime.readiness import observe, readiness
from infra.storage.schema_migrations import apply_migrations
from projections.base import Projection
from projections.projector import Projector, migrate
from projections.replay import rebuild

log = logging.getLogger(__name__)

MIGRATION_LOCK = 7_355_608
CONNECT_TIMEOUT_S = 5
# Each asyncpg session: a transaction left open by a client that went away ends after 30 s, and over TCP
# the server probes an idle client after 10 s and drops one that stopped answering within about 25 s
# (unsent data: 20 s), so a process cut off by the network frees its locks (and a relay its lead).
SESSION_SETTINGS = {
    "idle_in_transaction_session_timeout": "30000",
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "20000",
}
T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    store: PostgresEventStore
    pool: asyncpg.Pool
    projector: Projector
    tasks: list[asyncio.Task] = field(default_factory=list)
    jobs: set[asyncio.Task] = field(default_factory=set)
    commands: ThreadPoolExecutor | None = None  # see run_command
    stopping: threading.Event = field(
        default_factory=threading.Event
    )  # set at shutdown; long jobs pause on it
    # What this process does: "relay", "projector" (a Kafka consumer); a gateway needs no role of its own.
    roles: frozenset[str] = frozenset()
    # For each role that needs the broker, whether its link to it is up (readiness).
    broker_links: dict[str, Callable[[], bool]] = field(default_factory=dict)
    _connection_check: asyncio.Task | None = field(
        default=None, init=False, repr=False
    )  # see drop_dead_connections

    async def readiness(self) -> tuple[bool, dict[str, dict]]:
        return await readiness(self)

    async def metrics_exposition(self) -> tuple[bytes, str]:
        """What `/metrics` answers: the states read from the database now, then every metric."""
        await observe(self)
        return metrics.exposition()

    @property
    def operator(self) -> Operator:
        return self.settings.operator

    def start_job(self, work) -> asyncio.Task:
        """Runs long work (a billing run) beyond the request that started it; shutdown sets `stopping`
        and waits for it, so the work should pause at its next safe point once that is set."""
        job = asyncio.create_task(work)
        self.jobs.add(job)
        job.add_done_callback(self.jobs.discard)
        return job

    def drop_dead_connections(self) -> None:
        """After PostgreSQL went away (a restart, a failover), every pooled connection is dead, and
        each would fail the next request that takes it: the statements the event store does not send
        again answered 503 one request at a time. The idle ones are checked now, beside the answer."""
        if self._connection_check is None or self._connection_check.done():
            self._connection_check = self.start_job(self._check_connections())

    async def _check_connections(self) -> None:
        await asyncio.gather(
            asyncio.to_thread(self.store.datastore.pool.check),
            self.pool.expire_connections(),
            return_exceptions=True,
        )

    async def run_command(self, handler: Callable[..., T], *args: Any) -> T:
        """Runs a blocking command handler on one of the `command_threads`, in the caller's context.

        A fixed pool on a C queue, rather than the thread pool shared by the framework (40
        threads, a Python queue per thread): less gateway CPU per command (docs/performance.md),
        and fewer threads fight over the GIL."""
        call = contextvars.copy_context().run
        if not server_timing.collecting():
            return await asyncio.get_running_loop().run_in_executor(self.commands, call, handler, *args)
        timer = server_timing.CommandTimer()
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self.commands, call, timer.wrap(handler), *args
            )
        finally:
            timer.resumed()


def resolve_database(settings: Settings, stack: AsyncExitStack) -> str:
    if settings.database_url:
        return settings.database_url
    embedded = EmbeddedPostgres(settings.data_dir / "pgdata")
    url = embedded.start()
    stack.callback(embedded.stop)
    return url


async def migrate_all(
    pool: asyncpg.Pool,
    store: PostgresEventStore,
    database_url: str,
    projections: Iterable[Projection] = PROJECTIONS.values(),
) -> None:
    """Brings the database to what this code expects, once, whichever process starts first: the versioned
    migrations of the tables outside the log, then a rebuild from the log of every read model whose
    version changed. The others wait on the lock, then find nothing to do."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        if applied := await asyncio.to_thread(apply_migrations, database_url):
            log.info("applied migrations %s", ", ".join(applied))
        if sealed := await asyncio.to_thread(seal_stored_personal_data, store):
            log.info("sealed the personal data of %d stored events", sealed)
        if stale := await migrate(conn, projections):
            names = ", ".join(p.name for p in stale)
            log.info("rebuilding read models %s from the event log (new or changed version)", names)
            replayed = await rebuild(conn, store, stale)
            log.info("rebuilt read models %s from %d events", names, replayed)


def _process_name(*, relay: bool, projector: bool) -> str:
    if relay and projector:
        return "mtf"  # everything in one process (make run)
    return "mtf-relay" if relay else "mtf-projector" if projector else "mtf-gateway"


@asynccontextmanager
async def running(
    settings: Settings, *, relay: bool, projector: bool, scheduler: bool = False
) -> AsyncIterator[Runtime]:
    telemetry.configure(_process_name(relay=relay, projector=projector), **settings.telemetry())
    metrics.configure(
        settings.otel_service_name or _process_name(relay=relay, projector=projector),
        settings.otel_exporter_otlp_endpoint,
    )
    fonts.use(settings.document_font_dir)  # a missing font stops the start, not the first document
    pdf_pool.use_niceness(settings.pdf_niceness)
    async with AsyncExitStack() as stack:
        stack.callback(pdf_pool.shut_down)
        url = await asyncio.to_thread(resolve_database, settings, stack)
        pool = await asyncpg.create_pool(
            url, min_size=2, max_size=20, timeout=CONNECT_TIMEOUT_S, server_settings=SESSION_SETTINGS
        )
        stack.push_async_callback(pool.close)
        await require_utf8(pool)  # before the event store creates its tables
        clock = clock_from(settings.fixed_today)
        store = await asyncio.to_thread(
            open_event_store, url, clock, settings.command_threads, settings.master_key_text
        )
        stack.callback(store.close)
        await migrate_all(pool, store, url)
        runtime = Runtime(settings, clock, store, pool, Projector(pool, PROJECTIONS.values()))
        runtime.roles = frozenset(
            role
            for role, wanted in (("relay", relay), ("projector", projector and settings.kafka_bootstrap))
            if wanted
        )
        runtime.commands = ThreadPoolExecutor(settings.command_threads, thread_name_prefix="command")
        stack.callback(runtime.commands.shutdown)
        stop = asyncio.Event()
        if relay:
            await _start_relay(runtime, stack, stop)
            await _start_notifications(runtime, stack, stop)
        if projector and settings.kafka_bootstrap:
            await _start_consumer(runtime, stack)
        if scheduler:
            _start_scheduler(runtime, stop)
        heap.settle_after_startup()
        try:
            yield runtime
        finally:
            runtime.stopping.set()
            await asyncio.gather(*runtime.jobs, return_exceptions=True)
            stop.set()
            await _stopped(runtime.tasks)


STOP_GRACE_S = 5.0
CONNECT_AT_START_S = 10.0  # a consumer not connected by then goes on trying in the background
CONNECT_RETRY_FIRST_S = 1.0
CONNECT_RETRY_MAX_S = 10.0


async def _stopped(tasks: list[asyncio.Task]) -> None:
    """Lets the workers finish the batch in hand, then cancels what is still running: a relay
    delivering to a broker that is away would otherwise keep the process from stopping for as
    long as the broker stays away. A cancelled batch's position was not saved; the next relay
    sends it again."""
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
    for task in pending:
        log.warning("%s did not stop within %.0f s; cancelling it", task.get_name(), STOP_GRACE_S)
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _start_relay(runtime: Runtime, stack: AsyncExitStack, stop: asyncio.Event) -> None:
    settings = runtime.settings
    if settings.kafka_bootstrap:
        sink = KafkaSink(settings)
        await sink.start()
        stack.push_async_callback(sink.stop)
        runtime.broker_links["relay"] = lambda: sink.connected
        name = "kafka"
    else:
        sink = InProcessSink(runtime.projector)
        name = "in-process"
    relay = Relay(
        runtime.store,
        runtime.pool,
        sink,
        name=name,
        batch_size=settings.relay_batch_size,
        idle_poll_s=settings.relay_idle_poll_ms / 1000,
        min_interval_s=settings.relay_min_interval_ms / 1000,
        lease_timeout_s=settings.relay_lease_timeout_s,
    )
    runtime.tasks.append(asyncio.create_task(relay.run(stop), name="relay"))


async def _start_notifications(runtime: Runtime, stack: AsyncExitStack, stop: asyncio.Event) -> None:
    """The notifications outbox goes with the relay: to the topic with a broker, to the console without one."""

    settings = runtime.settings
    chosen = settings.notifications_sender
    if chosen == "none":
        return
    if chosen == "kafka" or (chosen == "auto" and settings.kafka_bootstrap):
        sender = notifications.KafkaSender(settings)
        await sender.start()
        stack.push_async_callback(sender.stop)
    else:
        sender = notifications.ConsoleSender(Console())
    dispatcher = notifications.Dispatcher(runtime.pool, sender)
    runtime.tasks.append(asyncio.create_task(dispatcher.run(stop), name="notifications"))


async def _start_consumer(runtime: Runtime, stack: AsyncExitStack) -> None:
    """Starts the projection consumer now if the broker is up, or as soon as it comes: the process starts
    either way, and reports not ready until then."""
    # FastStream: only a projector on Kafka loads it (memory)
    from infra.messaging.consumer import build_consumer

    started: list = []
    runtime.broker_links["projector"] = lambda: bool(started)

    async def connect() -> None:
        delay = CONNECT_RETRY_FIRST_S
        while True:
            broker = None
            try:
                await ensure_topics(runtime.settings)
                broker = build_consumer(runtime.settings, runtime.projector)
                await broker.start()
            except Exception as error:  # noqa: BLE001 - the broker may come later
                log.warning(
                    "projection consumer: Kafka not reachable (%s); trying again in %.0f s", error, delay
                )
                if broker is not None:
                    await _quietly(broker.stop())
                await asyncio.sleep(delay)
                delay = min(delay * 2, CONNECT_RETRY_MAX_S)
                continue
            started.append(broker)
            log.info("projection consumer connected")
            return

    connecting = asyncio.create_task(connect(), name="consumer-connect")

    async def stop() -> None:
        connecting.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
        for broker in started:
            await broker.stop()

    stack.push_async_callback(stop)
    await asyncio.wait([connecting], timeout=CONNECT_AT_START_S)


def _start_scheduler(runtime: Runtime, stop: asyncio.Event) -> None:
    # Billing and collections commands: only a process with the scheduler loads them (memory)
    from infra.runtime.scheduler import Scheduler

    runtime.tasks.append(asyncio.create_task(Scheduler(runtime).run(stop), name="scheduler"))


async def _quietly(closing) -> None:
    try:
        await closing
    except Exception:  # noqa: BLE001 - closing what never fully opened
        pass
