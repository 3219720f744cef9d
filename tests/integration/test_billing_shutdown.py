"""A billing run driven by the gateway pauses at its next block when the process is asked to stop,
and the next start resumes it: a shutdown no longer waits for the whole run."""

from __future__ import annotations

import asyncio
from uuid import UUID

from commands.billing import verify_billing_run
from domain.billing_run import BillingRun
from gateways.billing import resume_unfinished_runs
from infra.runtime.assembly import running
from tests.billing_flows import BILLING_DAY, bill, billing_system, contract, customer, offer

CLIENTS = 4


async def test_a_shutdown_pauses_a_billing_run_and_the_next_start_finishes_it():
    async with billing_system(billing_block_size=1) as (runtime, client):
        mobile = await offer(client, "99.00")
        for n in range(CLIENTS):
            await contract(client, await customer(client, f"Client {n}"), mobile)
        runtime.clock.set_today(BILLING_DAY)
        runtime.stopping.set()  # as a shutdown sets it, before the run starts: it pauses after one block
        run_id = UUID((await bill(client))["id"])
        await asyncio.gather(*runtime.jobs)
        paused = runtime.store.load(BillingRun, run_id, what="billing_run")
        assert (paused.status, paused.clients_done, paused.invoices_issued) == ("running", 1, 1)
        settings = runtime.settings.model_copy(update={"fixed_today": BILLING_DAY})

    async with running(settings, relay=True, projector=True) as restarted:
        await resume_unfinished_runs(restarted)  # what the gateway does at start-up
        await asyncio.gather(*restarted.jobs)
        finished = restarted.store.load(BillingRun, run_id, what="billing_run")
        assert (finished.status, finished.invoices_issued) == ("completed", CLIENTS)
        assert verify_billing_run(restarted.store, run_id) == []
