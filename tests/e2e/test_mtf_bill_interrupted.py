"""Ctrl-C on `mtf bill` pauses the run after the block in hand; the next `mtf bill` of the period
finishes it, with no invoice missing or issued twice."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from uuid import UUID

from commands.billing import verify_billing_run
from domain.billing_run import BillingRun
from infra.event_store import open_event_store
from tests.billing_flows import BILLING_DAY, billing_system, contract, customer, offer
from tests.support import settings_env

CLIENTS = 20


def mtf_bill(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "infra.cli", "bill", "2026-10"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


async def test_ctrl_c_pauses_mtf_bill_after_the_block_in_hand_and_the_next_mtf_bill_finishes_the_run():
    async with billing_system(billing_block_size=1) as (runtime, client):
        mobile = await offer(client, "99.00")
        for n in range(CLIENTS):
            await contract(client, await customer(client, f"Client {n}"), mobile)
        settings = runtime.settings
    env = {**settings_env(settings), "MTF_FIXED_TODAY": BILLING_DAY.isoformat(), "MTF_BILLING_BLOCK_SIZE": "1"}

    first = mtf_bill(env)
    started = first.stdout.readline()  # printed once the run is recorded, with the signal handlers in place
    first.send_signal(signal.SIGINT)
    output = started + first.stdout.read()
    assert first.wait(60) == 128 + signal.SIGINT, output
    run_id = UUID(re.search(r"billing run (\S+) for 2026-10: started", started).group(1))
    assert f"billing run {run_id} paused after invoices" in output

    store = open_event_store(settings.database_url)
    try:
        paused = store.load(BillingRun, run_id, what="billing_run")
        assert paused.status == "running" and 0 < paused.invoices_issued < CLIENTS

        second = mtf_bill(env)
        output = second.stdout.read()
        assert second.wait(120) == 0, output
        assert f"completed: {CLIENTS} invoices" in output
        finished = store.load(BillingRun, run_id, what="billing_run")
        assert (finished.status, finished.invoices_issued) == ("completed", CLIENTS)
        assert verify_billing_run(store, run_id) == []
    finally:
        store.close()
