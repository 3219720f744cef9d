"""The distributed system as the soak runs it: its own PostgreSQL and Kafka, each behind a fault proxy, and
the `mtf` processes kept up the way a restart policy keeps them (a process that dies is started again)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from infra.devstack.embedded_postgres import EmbeddedPostgres
from infra.devstack.local_kafka import LocalKafka, free_port
from tests.fault_proxy import FaultProxy, postgres_proxy
from tests.processes import MTF, REPO
from tests.support import KEYS

RESTART_DELAY_S = 0.5  # a supervisor's back-off before it starts a dead process again


@dataclass
class Service:
    """A long-running `mtf` process, started again whenever it dies."""

    name: str
    args: list[str]
    env: dict[str, str]
    ready_url: str
    log_path: Path
    process: subprocess.Popen | None = None
    restarts: int = 0
    _supervisor: asyncio.Task | None = field(default=None, repr=False)

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [*MTF, *self.args], env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
            )

    def supervise(self) -> None:
        self.start()
        self._supervisor = asyncio.create_task(self._keep_up(), name=f"supervise {self.name}")

    async def _keep_up(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            if self.process.poll() is not None:
                self.restarts += 1
                await asyncio.sleep(RESTART_DELAY_S)
                self.start()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self._supervisor:
            self._supervisor.cancel()
            self._supervisor = None
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def ready(self, http: httpx.AsyncClient) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            return (await http.get(self.ready_url, timeout=5)).status_code == 200
        except httpx.HTTPError:
            return False

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


@dataclass
class Job:
    """A command an operator (or the scheduler) runs to completion: started again until it exits 0."""

    name: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    attempts: int = 0
    shortest_run_s: float = float("inf")  # of the runs that completed: a kill later than that may miss

    async def run(self, *args: str) -> None:
        while True:
            self.attempts += 1
            started = time.monotonic()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [*MTF, *args], env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
                )
            code = await asyncio.to_thread(self.process.wait)
            self.process = None
            if code == 0:
                self.shortest_run_s = min(self.shortest_run_s, time.monotonic() - started)
                return
            await asyncio.sleep(RESTART_DELAY_S)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> bool:
        """Whether a run was going, and is killed now."""
        if not self.running:
            return False
        self.process.send_signal(signal.SIGKILL)
        return True


class System:
    """PostgreSQL and Kafka behind fault proxies, a gateway, a relay, a projector, and the jobs."""

    def __init__(self, workdir: Path, today: str) -> None:
        self.workdir = workdir
        self.today = today
        self.postgres = EmbeddedPostgres(workdir / "pgdata", delete_on_stop=True)
        self.kafka_proxy: FaultProxy | None = None
        self.kafka: LocalKafka | None = None
        self.postgres_proxy: FaultProxy | None = None
        self.database_url = ""  # direct, for the soak's own checks
        self.http_port = free_port()
        self.services: dict[str, Service] = {}
        self.jobs: dict[str, Job] = {}
        self._stack = AsyncExitStack()

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    async def __aenter__(self) -> System:
        self.database_url = await asyncio.to_thread(self.postgres.start)
        self._stack.push_async_callback(asyncio.to_thread, self.postgres.stop)
        self.postgres_proxy, proxied_database = postgres_proxy(self.database_url)
        await self._stack.enter_async_context(self.postgres_proxy)
        kafka_proxy_port = free_port()
        self.kafka = LocalKafka(heap="512m", advertised_port=kafka_proxy_port)
        await asyncio.to_thread(self.kafka.start)
        self._stack.callback(self.kafka.stop)
        self.kafka_proxy = FaultProxy("127.0.0.1", self.kafka.client_port)
        self.kafka_proxy.port = kafka_proxy_port
        await self._stack.enter_async_context(self.kafka_proxy)
        self.env = self._environment(proxied_database, self.kafka_proxy.address)
        self._stack.push_async_callback(self.stop_processes)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    def _environment(self, database_url: str, bootstrap: str) -> dict[str, str]:
        import orjson

        env = dict(os.environ)
        for name in [n for n in env if n.startswith(("MTF_", "OTEL_"))]:
            env.pop(name)
        env.update(
            {
                "MTF_DATABASE_URL": database_url,
                "MTF_KAFKA_BOOTSTRAP": bootstrap,
                "MTF_KAFKA_PARTITIONS": "3",
                "MTF_API_KEYS": orjson.dumps(KEYS).decode(),
                "MTF_FIXED_TODAY": self.today,
                "MTF_LOG_FORMAT": "json",
                "MTF_LOG_LEVEL": "warning",
                "MTF_RELAY_LEASE_TIMEOUT_S": "3",
                "MTF_CONSISTENCY_WAIT_MS": "5000",
            }
        )
        return env

    def move_to(self, today: str) -> None:
        """Every process started from now on lives on `today` (the seed day, then the soak's day)."""
        self.today = today
        self.env["MTF_FIXED_TODAY"] = today

    def start_processes(self) -> None:
        """The gateway, the relay and the projector, each supervised."""
        self.services = {
            "gateway": self._service("gateway", [], {"MTF_HTTP_PORT": str(self.http_port)}, self.http_port),
            **{
                name: self._service(name, [], {"MTF_HEALTH_PORT": str(port)}, port)
                for name, port in (("relay", free_port()), ("project", free_port()))
            },
        }
        for service in self.services.values():
            service.supervise()
        self.jobs = {
            name: Job(name, self.env, self.workdir / f"{name}.log") for name in ("bill", "collections-sweep")
        }

    def _service(self, command: str, args: list[str], extra: dict[str, str], port: int) -> Service:
        return Service(
            name=command,
            args=[command, *args],
            env={**self.env, **extra},
            ready_url=f"http://127.0.0.1:{port}/ready",
            log_path=self.workdir / f"{command}.log",
        )

    async def stop_processes(self) -> None:
        for job in self.jobs.values():
            job.kill()
        await asyncio.gather(*(service.stop() for service in self.services.values()))

    async def until_ready(self, http: httpx.AsyncClient, timeout: float) -> float:
        """Seconds until every service answers ready; raises TimeoutError past `timeout`."""
        started = time.monotonic()
        while True:
            states = await asyncio.gather(*(s.ready(http) for s in self.services.values()))
            if all(states):
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                waiting = [s.name for s, ok in zip(self.services.values(), states) if not ok]
                raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(waiting)}")
            await asyncio.sleep(0.2)

    # Faults on the infrastructure -----------------------------------------------------------------

    async def crash_postgres(self, down_s: float) -> None:
        await asyncio.to_thread(self.postgres.crash)
        await asyncio.sleep(down_s)
        url = await asyncio.to_thread(self.postgres.restart)
        if url != self.database_url:
            raise RuntimeError(f"PostgreSQL came back at {url}, not {self.database_url}")

    async def crash_kafka(self, down_s: float) -> None:
        await asyncio.to_thread(self.kafka.crash)
        await asyncio.sleep(down_s)
        await asyncio.to_thread(self.kafka.restart)
