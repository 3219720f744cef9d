"""The faults the soak injects, drawn from a seeded generator so that a failing run can be replayed.

Faults come in rounds: each round is every kind once, in a seeded order, so that even a short run meets
each kind; within a fault, how long it lasts and how bad it is are drawn from the same generator.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import Enum
from random import Random
from typing import Awaitable, Callable

from tests.soak.services import System

KINDS = (
    "kill gateway",
    "kill relay",
    "kill project",
    "kill bill",
    "kill collections-sweep",
    "postgres crash",
    "kafka crash",
    "postgres latency",
    "postgres drop",
    "postgres partition",
    "kafka latency",
    "kafka drop",
    "kafka partition",
)


class Missed(Enum):
    """Why a kill of a job hit nothing, so is not a fault."""

    RUN_ENDED = "the run ended before the kill"  # the kind is tried again on the job's next run
    NOTHING_TO_RUN = "no run left to start"


@dataclass(frozen=True)
class Fault:
    kind: str
    detail: str
    inject: Callable[[], Awaitable[Missed | None]]


def schedule(rng: Random):
    """Fault kinds, round after round, each round a seeded permutation of KINDS."""
    while True:
        yield from rng.sample(KINDS, len(KINDS))


def draw(kind: str, rng: Random, system: System, start_job: Callable[[str], Awaitable[bool]]) -> Fault:
    """The fault of that kind, with its seeded duration and severity. `start_job(name)` starts the job's next
    run if none is running, and says whether one runs now (a job is killed mid-run, not when idle)."""
    what, target = kind.split(" ", 1) if kind.startswith("kill") else kind.rsplit(" ", 1)
    if what == "kill" and target in system.jobs:
        latest = min(4.0 if target == "bill" else 1.5, system.jobs[target].shortest_run_s)
        after = round(rng.uniform(0.3, max(latest, 0.4)), 1)
        return Fault(kind, f"SIGKILL {after} s into a run", _kill_job(system, target, after, start_job))
    if what == "kill":
        return Fault(kind, "SIGKILL", _at_once(system.services[target].kill))
    if target == "crash":
        down = round(rng.uniform(0.2, 3.0), 1)
        crash = system.crash_postgres if what == "postgres" else system.crash_kafka
        detail = "immediate shutdown" if what == "postgres" else "SIGKILL"
        return Fault(kind, f"{detail}, down {down} s", lambda: crash(down))
    proxy = system.postgres_proxy if what == "postgres" else system.kafka_proxy
    if target == "drop":
        return Fault(kind, "every connection reset", _at_once(proxy.drop))
    lasting = round(rng.uniform(1.0, 4.0), 1)
    if target == "latency":
        delay = rng.choice((0.02, 0.05, 0.1, 0.2, 0.5))
        return Fault(
            kind,
            f"+{delay * 1000:.0f} ms per chunk for {lasting} s",
            _for(lasting, proxy, proxy.delay, delay),
        )
    return Fault(kind, f"nothing passes for {lasting} s, then reset", _for(lasting, proxy, proxy.cut))


def _kill_job(system: System, name: str, after: float, start_job):
    async def kill() -> Missed | None:
        if not await start_job(name):
            return Missed.NOTHING_TO_RUN
        await asyncio.sleep(after)
        return None if system.jobs[name].kill() else Missed.RUN_ENDED

    return kill


def _at_once(action):
    async def act() -> None:
        action()

    return act


def _for(seconds: float, proxy, action, *args):
    async def lasting() -> None:
        action(*args)
        try:
            await asyncio.sleep(seconds)
        finally:
            proxy.heal()

    return lasting
