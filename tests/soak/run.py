"""The fault soak: the distributed system under a steady load and a billing run after another, faults
injected one after the other as fast as the system recovers, then the invariants.

A portfolio of clients is provisioned on the seed day (2024-01-01); the soak then runs on 2026-12-07, when
every month from 2024-01 to 2026-11 (35) has ended and can be billed. Each `kill bill` fault starts the next
period's `mtf bill` (or catches the running one) and kills it mid-run; the job is started again until it
completes, as an operator or the scheduler would.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import httpx

from tests.flows import random_cin
from tests.soak import invariants
from tests.soak.faults import Missed, draw, schedule
from tests.soak.load import Load
from tests.soak.services import System
from tests.support import ADMIN, OPERATOR, all_projected

SEED_DAY = "2024-01-01"
SOAK_DAY = "2026-12-07"
REDRAWS = 10  # kills of a job drawn for one fault, each before its shortest run so far, before giving up
PERIODS = [f"{year}-{month:02d}" for year in (2024, 2025, 2026) for month in range(1, 13)][:35]  # to 2026-11


@dataclass
class Config:
    faults: int
    seed: int
    clients: int = 200
    load_interval_s: float = 0.25
    recovery_timeout_s: float = 180.0
    workdir: Path | None = None


@dataclass
class Report:
    config: Config
    workdir: Path
    faults: list[tuple[str, str, float]] = field(default_factory=list)  # kind, detail, seconds to recover
    outlived: dict[str, int] = field(default_factory=dict)  # kills drawn again: the run ended first
    accepted: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)
    restarts: dict = field(default_factory=dict)
    periods: list[str] = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    failure: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.failure is None and bool(self.verdicts) and all(v.ok for v in self.verdicts)

    def recovery_summary(self) -> str:
        times = sorted(t for _, _, t in self.faults)
        if not times:
            return "no fault injected"
        p95 = times[int(0.95 * (len(times) - 1))]
        return f"recovery median {statistics.median(times):.1f} s, p95 {p95:.1f} s, max {times[-1]:.1f} s"


class Jobs:
    """`mtf bill` period after period, and `mtf collections-sweep`, each run started again until done."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.pending = list(PERIODS)
        self.billed: list[str] = []
        self.tasks: dict[str, asyncio.Task] = {}

    async def start(self, name: str) -> bool:
        task = self.tasks.get(name)
        if task is None or task.done():
            if task is not None:
                task.result()  # a job that gave up fails the soak here
            if name == "bill":
                if not self.pending:
                    return False
                self.billed.append(self.pending.pop(0))
                self.tasks[name] = asyncio.create_task(self.system.jobs[name].run("bill", self.billed[-1]))
            else:
                self.tasks[name] = asyncio.create_task(self.system.jobs[name].run(name))
        for _ in range(100):
            if self.system.jobs[name].running:
                return True
            await asyncio.sleep(0.02)
        return False

    async def finish(self) -> None:
        await asyncio.gather(*self.tasks.values())
        await self.system.jobs["collections-sweep"].run("collections-sweep")


async def soak(config: Config, say=print) -> Report:
    rng = Random(config.seed)
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix=f"mtf-soak-{config.seed}-"))
    report = Report(config, workdir)
    started = time.monotonic()
    say(f"soak: seed {config.seed}, {config.faults} faults, logs in {workdir}")
    async with System(workdir, SEED_DAY) as system:
        try:
            await _run(system, config, rng, report, say)
        except (TimeoutError, RuntimeError) as error:
            report.failure = str(error)
            for service in system.services.values():
                say(f"--- {service.name} (restarted {service.restarts} times):\n{service.log_tail()}")
        report.restarts = {s.name: s.restarts for s in system.services.values()}
        report.restarts.update({f"{j.name} runs": j.attempts for j in system.jobs.values()})
    report.seconds = time.monotonic() - started
    return report


async def _run(system: System, config: Config, rng: Random, report: Report, say) -> None:
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=15) as http:
        offer_id = await _seed_portfolio(system, http, config.clients)
        say(f"soak: {config.clients} clients provisioned on {SEED_DAY}; the soak runs on {SOAK_DAY}")
        system.move_to(SOAK_DAY)
        system.start_processes()
        await system.until_ready(http, config.recovery_timeout_s)
        jobs = Jobs(system)
        await jobs.start("bill")  # the first period's invoices, for the payments to settle
        load = Load(http, Random(config.seed + 1), offer_id, config.load_interval_s)
        stop = asyncio.Event()
        loading = asyncio.create_task(load.run(stop))
        try:
            await _inject(system, config, rng, jobs, http, report, say)
        finally:
            stop.set()
            await loading
        report.accepted = dict(load.ledger.accepted_by_kind())
        report.answers = {
            f"{kind} {label}": n for (kind, label), n in sorted(load.ledger.answers.items(), key=str)
        }
        say("soak: faults done; finishing the billing runs and the sweep, then draining")
        await jobs.finish()
        report.periods = list(jobs.billed)
        await system.until_ready(http, config.recovery_timeout_s)
        await _drained(system, config.recovery_timeout_s)
        await system.stop_processes()
        say("soak: checking the invariants")
        report.verdicts = await invariants.check(
            system.database_url,
            system.kafka.bootstrap,
            system.env,
            load.ledger.accepted,
            report.periods,
            config.clients,
        )


async def _seed_portfolio(system: System, http: httpx.AsyncClient, clients: int) -> str:
    system.start_processes()
    await system.until_ready(http, 120)
    offer = {
        "name": "Mobile 20 Go",
        "service": "mobile",
        "family": "4g",
        "monthly_fee": "99.00",
        "activation_fee": "50.00",
        "components": [{"kind": "data", "gb": 20}],
    }
    response = await http.post("/api/v1/offers", json=offer, headers=ADMIN)
    response.raise_for_status()
    offer_id = response.json()["id"]

    async def customer() -> None:
        body = {
            "cin": random_cin(),
            "full_name": "Client Portefeuille",
            "email": "p@example.ma",
            "address": "Rabat",
        }
        registered = (await http.post("/api/v1/clients", json=body, headers=OPERATOR)).raise_for_status()
        contract = {"client_id": registered.json()["id"], "offer_id": offer_id, "commitment_months": 12}
        (await http.post("/api/v1/contracts", json=contract, headers=OPERATOR)).raise_for_status()

    for first in range(0, clients, 10):
        await asyncio.gather(*(customer() for _ in range(first, min(first + 10, clients))))
    await system.stop_processes()
    return offer_id


async def _inject(system, config, rng, jobs, http, report, say) -> None:
    kinds = schedule(rng)
    while len(report.faults) < config.faults:
        kind = next(kinds)
        for _ in range(REDRAWS):  # a kill the run outlived is drawn again for the job's next run
            fault = draw(kind, rng, system, jobs.start)
            at = time.monotonic()
            missed = await fault.inject()
            if missed is not Missed.RUN_ENDED:
                break
            report.outlived[kind] = report.outlived.get(kind, 0) + 1
        if missed is not None:
            continue  # not a fault
        healed = time.monotonic()
        await system.until_ready(http, config.recovery_timeout_s)
        recovered = time.monotonic() - healed
        report.faults.append((kind, fault.detail, recovered))
        say(
            f"fault {len(report.faults):>4}/{config.faults} {kind:<22} {fault.detail:<42} "
            f"lasted {healed - at:4.1f} s, recovered in {recovered:4.1f} s"
        )


async def _drained(system: System, timeout: float) -> None:
    """Until the relay has delivered the whole log and every read model has applied it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await _relayed(system.database_url) and await all_projected(system.database_url):
            return
        await asyncio.sleep(0.5)
    raise TimeoutError(f"the relay and projections did not drain within {timeout:.0f} s")


async def _relayed(database_url: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        head = await conn.fetchval("SELECT coalesce(max(notification_id), 0) FROM eventstore.mtf_events")
        relayed = await conn.fetchval("SELECT coalesce(max(position), 0) FROM eventstore.relay_position")
        return relayed >= head
    finally:
        await conn.close()
