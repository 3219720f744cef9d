"""Ctrl-C on `mtf bill` pauses the run after the block in hand; the next `mtf bill` of the period
finishes it, with no invoice missing or issued twice. A second Ctrl-C, or one on a dry run, stops
the process at once."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from uuid import UUID

from commands.billing import verify_billing_run
from domain.billing_run import BillingRun
from infra.eventstore.store import open_event_store
from infra.kernel.settings import Settings
from tests.billing_flows import BILLING_DAY, billing_system, contract, customer, offer
from tests.support import settings_env

CLIENTS = 20


def mtf_bill(env: dict[str, str], *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "infra.runtime.cli", "bill", "2026-10", *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def lines_until(process: subprocess.Popen, start: str) -> str:
    """What the process prints up to and with the first line that starts with `start`."""
    read = ""
    while line := process.stdout.readline():
        read += line
        if line.startswith(start):
            return read
    raise AssertionError(f"the process ended without printing {start!r}: {read}")


async def portfolio(block_size: int) -> tuple[Settings, dict[str, str]]:
    """CLIENTS clients with one contract each, billed `block_size` clients per block; the settings
    and the environment of an `mtf bill` on them."""
    async with billing_system(billing_block_size=block_size) as (runtime, client):
        mobile = await offer(client, "99.00")
        for n in range(CLIENTS):
            await contract(client, await customer(client, f"Client {n}"), mobile)
        settings = runtime.settings
    env = {
        **settings_env(settings),
        "MTF_FIXED_TODAY": BILLING_DAY.isoformat(),
        "MTF_BILLING_BLOCK_SIZE": str(block_size),
    }
    return settings, env


async def test_ctrl_c_pauses_mtf_bill_after_the_block_in_hand_and_the_next_mtf_bill_finishes_the_run():
    settings, env = await portfolio(block_size=1)

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


async def test_a_second_ctrl_c_stops_mtf_bill_at_once_and_the_block_in_hand_is_rolled_back():
    settings, env = await portfolio(
        block_size=CLIENTS
    )  # one block: the first Ctrl-C would wait for all of it

    first = mtf_bill(env)
    started = first.stdout.readline()
    first.send_signal(signal.SIGINT)
    pausing = lines_until(first, "pausing after the block in hand")
    first.send_signal(signal.SIGINT)
    output = started + pausing + first.stdout.read()
    assert first.wait(60) == 128 + signal.SIGINT, output
    assert "stopped" in output and "paused after" not in output, output
    run_id = UUID(re.search(r"billing run (\S+) for 2026-10: started", started).group(1))

    store = open_event_store(settings.database_url)
    try:
        assert store.load(BillingRun, run_id, what="billing_run").invoices_issued == 0
        second = mtf_bill(env)
        output = second.stdout.read()
        assert second.wait(120) == 0, output
        assert f"completed: {CLIENTS} invoices" in output
        assert verify_billing_run(store, run_id) == []
    finally:
        store.close()


async def test_ctrl_c_stops_a_dry_run_at_once():
    settings, env = await portfolio(block_size=CLIENTS)

    dry_run = mtf_bill(env, "--dry-run")
    computing = dry_run.stdout.readline()  # printed with the signal handlers in place
    dry_run.send_signal(signal.SIGINT)
    output = computing + dry_run.stdout.read()
    assert dry_run.wait(60) == 128 + signal.SIGINT, output
    assert computing.startswith("dry run of 2026-10") and "stopped" in output, output
    assert "invoices: net" not in output, output  # the preview was not finished
