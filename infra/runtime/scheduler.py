"""Starts the operator's recurring work by itself: the monthly billing run (for the month that just ended)
and the daily collections sweep, at the hours the settings give (`MTF_SCHEDULER`, `MTF_BILLING_DAY`,
`MTF_BILLING_HOUR`, `MTF_SWEEP_HOUR`).

Every gateway process with the scheduler on checks every `MTF_SCHEDULER_POLL_S`; a check runs only in the
process that takes the scheduler's advisory lock for it, so one process at a time decides. Both kinds of
work are idempotent besides (one billing run per period, one sweep per day): a check that finds the work
done, or a restart in the middle, starts nothing twice. A billing run it starts is driven in the background
like one an operator starts, and one left unfinished by a stop is resumed at the next start.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any

from commands.billing import BillingTerms, start_billing_run
from commands.collections import RunCollectionsSweep, policy_from, run_collections_sweep
from domain.period import Period
from domain.schedule import Schedule
from gateways.billing import drive_in_background
from infra.kernel.command_context import CommandContext

log = logging.getLogger(__name__)
SCHEDULER_LOCK = 7_355_612
ACTOR = CommandContext(actor="system:scheduler", role="system")


class Scheduler:
    def __init__(self, runtime: Any) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.schedule = Schedule(settings.billing_day, settings.billing_hour, settings.sweep_hour)
        self.poll_s = settings.scheduler_poll_s
        self._billed: Period | None = None  # done, as far as this process knows: not asked again
        self._swept: date | None = None

    async def run(self, stop: asyncio.Event) -> None:
        log.info(
            "scheduler on: billing on day %d at %02d:00 UTC, sweep daily at %02d:00 UTC",
            self.schedule.billing_day,
            self.schedule.billing_hour,
            self.schedule.sweep_hour,
        )
        while not stop.is_set():
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - never end quietly; the next check tries again
                log.exception("scheduler: the check failed; trying again at the next one")
            try:
                await asyncio.wait_for(stop.wait(), self.poll_s)
            except asyncio.TimeoutError:
                pass

    async def check(self) -> None:
        """Starts what is due, if this process takes the scheduler's lock for this check."""
        now = self.runtime.clock.now()
        period, day = self.schedule.period_to_bill(now), self.schedule.day_to_sweep(now)
        if period == self._billed and day == self._swept:
            return
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", SCHEDULER_LOCK):
                return  # another process is checking
            if period is not None and period != self._billed:
                await self._bill(period)
            if day is not None and day != self._swept:
                await self._sweep(day)

    async def _bill(self, period: Period) -> None:
        runtime = self.runtime
        terms = BillingTerms.from_settings(runtime.settings)
        started = await asyncio.to_thread(
            start_billing_run, runtime.store, runtime.clock, terms, str(period), ACTOR
        )
        if started.created:
            log.info("scheduler: started the billing run of %s (%s)", period, started.run.id)
            drive_in_background(runtime, terms, started.run.id, ACTOR, started.roster)
        self._billed = period

    async def _sweep(self, day: date) -> None:
        runtime = self.runtime
        _, created, sweep = await asyncio.to_thread(
            run_collections_sweep,
            runtime.store,
            runtime.clock,
            policy_from(runtime.settings),
            RunCollectionsSweep(as_of=day),
            ACTOR,
        )
        if created:
            log.info("scheduler: collections sweep of %s done: %s", day, sweep.outcomes)
        self._swept = day
