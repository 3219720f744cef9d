"""A billing run killed hard mid-run (a real `mtf bill` process) resumes with no duplicate and no gap.

The first attempt dies after its first block of invoices, the second during the PDF phase; a
gateway process starting up then finishes the run on its own.
"""

from __future__ import annotations

from commands.billing import verify_billing_run
from domain.billing_run import BillingRun
from domain.invoice import Invoice
from tests.billing_flows import billing_system, contract, customer, invoices_of, offer
from infra.local_kafka import free_port
from tests.processes import background, crash_at, run_to_exit
from tests.support import eventually, settings_env

CLIENTS = 7


async def _issued_numbers(runtime) -> list[str]:
    rows = await runtime.pool.fetch(
        "SELECT originator_id FROM eventstore.mtf_events WHERE topic = 'domain.invoice:Invoice.InvoiceIssued'"
    )
    invoices = runtime.store.load_many(Invoice, [r["originator_id"] for r in rows])
    return sorted(i.number for i in invoices.values())


async def test_a_run_killed_mid_issue_and_mid_documents_resumes_without_duplicates_or_gaps():
    async with billing_system() as (runtime, client):
        mobile = await offer(client, "99.00", "50.00")
        for n in range(CLIENTS):
            await contract(client, await customer(client, f"Client {n}"), mobile)
        env = {**settings_env(runtime.settings), "MTF_KAFKA_BOOTSTRAP": "", "MTF_FIXED_TODAY": "2026-11-02",
               "MTF_BILLING_BLOCK_SIZE": "2"}

        await crash_at("billing.after_block", ["bill", "2026-10"], env)
        run = runtime.store.load(BillingRun, BillingRun.create_id("2026-10"), what="billing_run")
        assert (run.status, run.clients_done, run.invoices_issued) == ("running", 2, 2)
        assert await _issued_numbers(runtime) == ["FAC-2026-000001", "FAC-2026-000002"]

        await crash_at("billing.after_document_block", ["bill", "2026-10"], env)
        run = runtime.store.load(BillingRun, run.id, what="billing_run")
        assert (run.status, run.invoices_issued) == ("issued", CLIENTS)

        # A gateway starting up finds the unfinished run and drives it to the end.
        async with background(["gateway"], {**env, "MTF_HTTP_PORT": str(free_port())}):
            async def completed():
                return runtime.store.load(BillingRun, run.id, what="billing_run").status == "completed"
            await eventually(completed, timeout=30)
        assert await _issued_numbers(runtime) == [f"FAC-2026-{n:06d}" for n in range(1, CLIENTS + 1)]
        assert verify_billing_run(runtime.store, run.id) == []
        documents = await runtime.pool.fetchval("SELECT count(*) FROM documents.invoice_documents")
        assert documents == CLIENTS

        async def projected():
            invoices = await invoices_of(client, run=str(run.id))
            return len(invoices) == CLIENTS and all(i["document"] for i in invoices) and invoices
        invoices = await eventually(projected)
        assert len({i["client_id"] for i in invoices}) == CLIENTS
        again = run_to_exit(["bill", "2026-10"], env)
        assert again.returncode == 0 and "completed" in again.stdout
        assert await _issued_numbers(runtime) == [f"FAC-2026-{n:06d}" for n in range(1, CLIENTS + 1)]
