"""The scheduler starts the month's billing run and the day's sweep by itself, once, whatever the number of
gateway processes and a restart in between. Real PostgreSQL; the date pinned, the hours set to be due."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import date

import asyncpg

from infra.runtime.assembly import running
from infra.runtime.scheduler import SCHEDULER_LOCK
from tests.flows import new_contract
from tests.support import eventually, fresh_settings, serving

NOVEMBER, FIRST_OF_DECEMBER = date(2026, 11, 10), date(2026, 12, 1)


async def _count(database_url: str, event: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM eventstore.mtf_events WHERE topic LIKE $1", f"%.{event}"
        )
    finally:
        await conn.close()


async def _gateways(settings, count: int, stack: AsyncExitStack) -> None:
    for _ in range(count):
        await stack.enter_async_context(running(settings, relay=True, projector=True, scheduler=True))


async def test_the_month_is_billed_and_the_day_swept_once_by_two_gateways_and_after_a_restart():
    november = fresh_settings(kafka=False, fixed_today=NOVEMBER)
    async with serving(november) as (_, client):
        await new_contract(client)  # a line active in November: the run has an invoice to issue
    december = november.model_copy(
        update={
            "fixed_today": FIRST_OF_DECEMBER,
            "scheduler": True,
            "billing_day": 1,
            "billing_hour": 0,
            "sweep_hour": 0,
            "scheduler_poll_s": 0.2,
        }
    )
    url = december.database_url

    async with AsyncExitStack() as stack:
        await _gateways(december, 2, stack)

        async def billed_and_swept() -> bool:
            completed = await _count(url, "BillingRunCompleted")
            return completed == 1 and await _count(url, "CollectionsSweepCompleted") == 1

        await eventually(billed_and_swept, timeout=30, interval=0.2)
        await asyncio.sleep(1)  # several more checks in both processes

    async with AsyncExitStack() as stack:  # the restart
        await _gateways(december, 1, stack)
        await asyncio.sleep(1)

    assert await _count(url, "BillingRunStarted") == 1
    assert await _count(url, "InvoiceIssued") == 1
    assert await _count(url, "CollectionsSweepCompleted") == 1


async def test_no_process_checks_while_another_holds_the_schedulers_lock():
    settings = fresh_settings(kafka=False, fixed_today=FIRST_OF_DECEMBER)
    conn = await asyncpg.connect(settings.database_url)
    try:
        async with AsyncExitStack() as stack:
            due = settings.model_copy(
                update={"scheduler": True, "billing_hour": 0, "sweep_hour": 0, "scheduler_poll_s": 0.2}
            )
            await conn.execute("SELECT pg_advisory_lock($1)", SCHEDULER_LOCK)  # another process is checking
            await _gateways(due, 1, stack)
            await asyncio.sleep(1)
            assert await _count(settings.database_url, "BillingRunStarted") == 0
            await conn.execute("SELECT pg_advisory_unlock($1)", SCHEDULER_LOCK)

            async def started() -> bool:
                return await _count(settings.database_url, "BillingRunStarted") == 1

            await eventually(started, timeout=10, interval=0.2)
    finally:
        await conn.close()
