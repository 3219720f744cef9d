"""A billing run killed hard mid-run (a real `mtf bill` process) resumes with no duplicate and no gap.

The first attempt dies after its first block of invoices, the second during the PDF phase; a
gateway process starting up then finishes the run on its own.
"""

from __future__ import annotations

from commands.billing import verify_billing_run
from domain.billing_run import BillingRun
from domain.invoice import Invoice
from infra.devstack.local_kafka import free_port
from tests.billing_flows import billing_system, contract, customer, invoices_of, offer
from tests.processes import background, crash_at, run_cli
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
        env = {
            **settings_env(runtime.settings),
            "MTF_KAFKA_BOOTSTRAP": "",
            "MTF_FIXED_TODAY": "2026-11-02",
            "MTF_BILLING_BLOCK_SIZE": "2",
        }

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
        again = await run_cli(["bill", "2026-10"], env)
        assert again.returncode == 0 and "completed" in again.stdout
        assert await _issued_numbers(runtime) == [f"FAC-2026-{n:06d}" for n in range(1, CLIENTS + 1)]


async def test_the_cli_dry_run_prints_the_invoices_and_appends_nothing_and_replay_equals_live():
    from tests.support import dump_tables

    async with billing_system() as (runtime, client):
        mobile = await offer(client, "99.00", "50.00")
        for n in range(3):
            await contract(client, await customer(client, f"Client {n}"), mobile)
        env = {**settings_env(runtime.settings), "MTF_KAFKA_BOOTSTRAP": "", "MTF_FIXED_TODAY": "2026-11-02"}
        before = await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events")
        dry = await run_cli(["bill", "2026-10", "--dry-run"], env)
        assert dry.returncode == 0, dry.stdout + dry.stderr
        assert (
            "nothing issued" in dry.stdout
            and "3 invoices: net 447.00, tax 89.40, gross 536.40 MAD" in dry.stdout
        )
        assert await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events") == before

        billed = await run_cli(["bill", "2026-10"], env)
        assert billed.returncode == 0 and "completed: 3 invoices" in billed.stdout, (
            billed.stdout + billed.stderr
        )
        invoice = (await eventually(lambda: _documented(client)))[0]
        await client.post(
            f"/api/v1/invoices/{invoice['invoice_id']}/credit-notes",
            json={"reason": "goodwill", "lines": [{"line_no": 2}]},
            headers={"X-API-Key": "test-operator-key"},
        )
        tables = (
            "readmodel.invoice_register",
            "readmodel.billing_run_progress",
            "readmodel.credit_note_register",
        )
        await eventually(lambda: _credited(runtime))
        live = await dump_tables(runtime.settings.database_url, *tables)
        replayed = await run_cli(
            ["replay", "invoice_register", "billing_run_progress", "credit_note_register"], env
        )
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert await dump_tables(runtime.settings.database_url, *tables) == live
        refused = await run_cli(["bill", "2026-11"], env)
        assert refused.returncode == 2 and "period_not_ended" in refused.stdout


async def _documented(client):
    invoices = await invoices_of(client)
    return len(invoices) == 3 and all(i["document"] for i in invoices) and invoices


async def _credited(runtime):
    return (
        await runtime.pool.fetchval(
            "SELECT count(*) FROM readmodel.invoice_register WHERE status = 'partially_credited'"
        )
        == 1
    )
