"""Several `mtf bill` workers share one run, block by block, as real processes on the real database.

A first worker is killed in the middle of its first block (after computing and numbering it, before
its append commits); two more then run at once, slowed after each block so that they overlap. The
run ends with every client billed once, the series gap-free, every block issued by exactly one
worker, and the read model (fed through Kafka) adding up the blocks.
"""

from __future__ import annotations

import asyncio
import re

from commands.billing import verify_billing_run
from domain.billing_run import BillingRun
from domain.invoice import Invoice
from infra.kernel.faults import CRASH_EXIT_CODE
from tests.billing_flows import billing_system, contract, customer, offer
from tests.processes import crash_at, run_cli
from tests.support import OPERATOR, eventually, settings_env

CLIENTS = 20
BLOCK = 2


async def _issued(runtime) -> list[Invoice]:
    rows = await runtime.pool.fetch(
        "SELECT originator_id FROM eventstore.mtf_events WHERE topic = 'domain.invoice:Invoice.InvoiceIssued'"
    )
    return list(runtime.store.load_many(Invoice, [r["originator_id"] for r in rows]).values())


def _blocks_issued(output: str) -> int:
    found = re.search(r"this worker issued (\d+) blocks", output)
    assert found, output
    return int(found.group(1))


async def test_two_workers_share_a_run_and_take_over_the_block_of_a_killed_one():
    async with billing_system(kafka=True) as (runtime, client):
        mobile = await offer(client, "99.00", "50.00")
        for n in range(CLIENTS):
            await contract(client, await customer(client, f"Client {n}"), mobile)
        env = {
            **settings_env(runtime.settings),
            "MTF_FIXED_TODAY": "2026-11-02",
            "MTF_BILLING_BLOCK_SIZE": str(BLOCK),
        }

        assert await crash_at("billing.block_unsaved", ["bill", "2026-10"], env) == CRASH_EXIT_CODE
        run = runtime.store.load(BillingRun, BillingRun.create_id("2026-10"), what="billing_run")
        assert (run.status, run.block_size, run.blocks_done, run.invoices_issued) == (
            "running",
            BLOCK,
            set(),
            0,
        )
        assert await _issued(runtime) == []  # the killed block left nothing: not a number, not an invoice

        slowed = {**env, "MTF_SLOW_AT": "billing.after_block:0.3"}
        first, second = await asyncio.gather(
            run_cli(["bill", "2026-10"], slowed, timeout=120),
            run_cli(["bill", "2026-10"], slowed, timeout=120),
        )
        assert first.returncode == 0 and second.returncode == 0, first.stdout + second.stdout
        shares = [_blocks_issued(first.stdout), _blocks_issued(second.stdout)]
        assert sum(shares) == CLIENTS // BLOCK and min(shares) > 0, shares  # each block once; both worked

        run = runtime.store.load(BillingRun, run.id, what="billing_run")
        assert (run.status, run.clients_done, run.invoices_issued) == ("completed", CLIENTS, CLIENTS)
        assert run.blocks_done == set(range(0, CLIENTS, BLOCK))
        invoices = await _issued(runtime)
        assert sorted(i.number for i in invoices) == [f"FAC-2026-{n:06d}" for n in range(1, CLIENTS + 1)]
        assert len({i.client_id for i in invoices}) == CLIENTS
        assert all(i.document_id is not None for i in invoices)
        assert verify_billing_run(runtime.store, run.id) == []
        assert await runtime.pool.fetchval("SELECT count(*) FROM documents.invoice_documents") == CLIENTS

        async def projected():
            response = await client.get(f"/api/v1/billing-runs/{run.id}", headers=OPERATOR)
            view = response.json()
            return view["status"] == "completed" and view

        view = await eventually(projected, timeout=30)
        assert (view["clients_done"], view["invoices_issued"], view["documents_rendered"]) == (CLIENTS,) * 3
        assert view["totals"]["gross"] == str(run.gross)
