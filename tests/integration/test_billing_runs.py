"""Billing runs through HTTP on the real database: idempotency, dry runs, reproducibility, numbering, PDFs."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from datetime import date
from decimal import Decimal

from commands.billing import verify_billing_run
from domain.billing_run import BillingRun
from tests.billing_flows import (
    act,
    bill,
    billed,
    billing_system,
    contract,
    customer,
    finished_run,
    invoices_of,
    offer,
)
from tests.support import AUDITOR, OPERATOR, eventually


async def _event_count(runtime) -> int:
    return await runtime.pool.fetchval("SELECT count(*) FROM eventstore.mtf_events")


async def _portfolio(client, clients: int = 3) -> list[str]:
    mobile = await offer(client, "99.00", "50.00")
    owners = [await customer(client, f"Client {n}") for n in range(clients)]
    for owner in owners:
        await contract(client, owner, mobile)
    return owners


async def test_a_second_run_of_an_issued_period_creates_nothing_and_returns_the_first():
    async with billing_system() as (runtime, client):
        await _portfolio(client)
        run, invoices = await billed(runtime, client)
        assert (
            run["invoices_issued"],
            run["clients_total"],
            run["clients_done"],
            run["documents_rendered"],
        ) == (3, 3, 3, 3)
        assert sorted(i["number"] for i in invoices) == [
            "FAC-2026-000001",
            "FAC-2026-000002",
            "FAC-2026-000003",
        ]
        before = await _event_count(runtime)
        again = await bill(client, "2026-10", expect=200)
        assert again["id"] == run["run_id"] and again["created"] is False and again["status"] == "completed"
        assert await _event_count(runtime) == before
        assert len(await invoices_of(client)) == 3


async def test_a_period_that_has_not_ended_cannot_be_billed_and_bad_periods_are_422():
    async with billing_system() as (runtime, client):
        runtime.clock.set_today(date(2026, 10, 31))
        refused = await client.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=OPERATOR)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "period_not_ended"
        assert refused.json()["error"]["details"]["billable_from"] == "2026-11-01"
        for bad in ("2026-13", "2026-1", "october", ""):
            response = await client.post("/api/v1/billing-runs", json={"period": bad}, headers=OPERATOR)
            assert response.status_code == 422, bad
        auditor = await client.post("/api/v1/billing-runs", json={"period": "2026-09"}, headers=AUDITOR)
        assert auditor.status_code == 403
        assert not await runtime.pool.fetchval(
            "SELECT count(*) FROM eventstore.mtf_events WHERE topic LIKE 'domain.billing_run%'"
        )


async def test_a_dry_run_returns_every_invoice_and_appends_nothing():
    async with billing_system() as (runtime, client):
        owners = await _portfolio(client, 2)
        runtime.clock.set_today(date(2026, 11, 2))
        before = await _event_count(runtime)
        response = await client.post(
            "/api/v1/billing-runs", json={"period": "2026-10", "dry_run": True}, headers=OPERATOR
        )
        assert response.status_code == 200, response.text
        preview = response.json()
        assert preview["dry_run"] is True and sorted(i["client_id"] for i in preview["invoices"]) == sorted(
            owners
        )
        assert preview["totals"] == {
            "net": "298.00",
            "tax": "59.60",
            "gross": "357.60",
        }  # 2 x (50.00 + 99.00)
        assert await _event_count(runtime) == before
        _, invoices = await billed(runtime, client)
        assert sorted((i["client_id"], i["lines"]) for i in invoices) == sorted(
            (p["client_id"], p["lines"]) for p in preview["invoices"]
        )


async def test_a_run_recomputes_identically_from_its_recorded_position_after_later_changes():
    async with billing_system() as (runtime, client):
        owner = (await _portfolio(client, 2))[0]
        run, _ = await billed(runtime, client)
        # Changes after the run: a new contract and a discount on October. They must not alter the recomputation.
        await contract(client, owner, await offer(client, "10.00"), new_line=True)
        await act(
            client,
            "/api/v1/discounts",
            {"client_id": owner, "kind": "percent", "value": "50", "from_period": "2026-10", "label": "Late"},
            201,
        )
        run_id = BillingRun.create_id("2026-10")
        assert str(run_id) == run["run_id"]
        assert verify_billing_run(runtime.store, run_id) == []


async def test_invoice_queries_filter_and_the_pdf_is_downloadable():
    async with billing_system() as (runtime, client):
        owner = await customer(client, "Salma Idrissi")
        await contract(client, owner, await offer(client, "299.00", service="internet"))
        other = await customer(client)
        mobile = await offer(client, "99.00")
        await contract(client, other, mobile)
        run, invoices = await billed(runtime, client)
        (internet,) = await invoices_of(client, service="internet")
        assert (
            internet["client_id"] == owner
            and internet["status"] == "issued"
            and internet["open_balance"] == internet["gross"]
        )
        assert [i["client_id"] for i in await invoices_of(client, offer=mobile)] == [other]
        assert (
            len(await invoices_of(client, period="2026-10", issued_from="2026-11-02", issued_to="2026-11-02"))
            == 2
        )
        assert await invoices_of(client, issued_from="2026-11-03") == []
        assert await invoices_of(client, client=owner, status="credited") == []
        assert internet["due_date"] == "2026-12-02" and internet["issue_date"] == "2026-11-02"
        pdf = await client.get(f"/api/v1/invoices/{internet['invoice_id']}/pdf", headers=AUDITOR)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert (
            pdf.content.startswith(b"%PDF")
            and hashlib.sha256(pdf.content).hexdigest() == internet["document"]["sha256"]
        )
        assert len(pdf.content) == internet["document"]["size"]
        missing = await client.get("/api/v1/invoices/00000000-0000-0000-0000-000000000000", headers=AUDITOR)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "invoice_not_found"
        bad = await client.get("/api/v1/invoices", params={"period": "2026-1"}, headers=AUDITOR)
        assert bad.status_code == 422


async def test_credit_notes_take_their_own_gap_free_series_and_reduce_the_open_balance():
    async with billing_system() as (runtime, client):
        owner = await customer(client)
        await contract(client, owner, await offer(client, "99.00", "50.00"))
        _, (invoice,) = await billed(runtime, client)
        path = f"/api/v1/invoices/{invoice['invoice_id']}/credit-notes"
        partial = await act(
            client, path, {"reason": "network outage", "lines": [{"line_no": 2, "net": "33.00"}]}, 201
        )
        refused = await client.post(
            path, json={"reason": "x", "lines": [{"line_no": 2, "net": "66.01"}]}, headers=OPERATOR
        )
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "credit_exceeds_line"
        unknown = await client.post(path, json={"reason": "x", "lines": [{"line_no": 9}]}, headers=OPERATOR)
        assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_invoice_line"
        full = await act(client, path, {"reason": "contract cancelled"}, 201)
        done = await client.post(path, json={"reason": "again"}, headers=OPERATOR)
        assert done.status_code == 409 and done.json()["error"]["code"] == "invoice_fully_credited"
        view = (
            await client.get(
                f"/api/v1/invoices/{invoice['invoice_id']}",
                params={"consistency_token": full["position"]},
                headers=AUDITOR,
            )
        ).json()
        notes = (
            await client.get(
                "/api/v1/credit-notes", params={"invoice": invoice["invoice_id"]}, headers=AUDITOR
            )
        ).json()["items"]
    assert [n["number"] for n in notes] == ["AV-2026-000001", "AV-2026-000002"]
    assert notes[0]["lines"] == [
        {
            "line_no": 2,
            "description": notes[0]["lines"][0]["description"],
            "net": "33.00",
            "tax": "6.60",
            "gross": "39.60",
        }
    ]
    assert notes[0]["credit_note_id"] == partial["id"] and notes[0]["invoice_number"] == invoice["number"]
    assert sum(Decimal(n["gross"]) for n in notes) == Decimal(invoice["gross"])
    assert (
        view["status"] == "credited"
        and view["open_balance"] == "0.00"
        and view["credited"] == invoice["gross"]
    )
    assert view["lines"] == invoice["lines"]  # an issued invoice never changes


async def test_concurrent_issuers_leave_no_gap_and_no_duplicate_in_the_series():
    async with billing_system(billing_block_size=2) as (runtime, client):
        mobile = await offer(client, "99.00")
        for month in (10, 11, 12):
            runtime.clock.set_today(date(2026, month, 1))
            for n in range(5):
                await contract(client, await customer(client, f"Client {month}-{n}"), mobile)
        runtime.clock.set_today(date(2027, 1, 2))
        # Three periods billed at once, each by its own request; their blocks race for FAC-2027 numbers.
        started = [await bill(client, period) for period in ("2026-10", "2026-11", "2026-12")]
        runs = [await finished_run(client, s["id"], timeout=60) for s in started]
        issued = sum(r["invoices_issued"] for r in runs)
        assert issued == 5 + 10 + 15

        async def all_numbers():
            rows = await runtime.pool.fetch("SELECT number FROM readmodel.invoice_register ORDER BY number")
            return len(rows) == issued and rows

        rows = await eventually(all_numbers)
        stored = await runtime.pool.fetch(
            "SELECT state FROM eventstore.mtf_events WHERE topic = 'domain.invoice:Invoice.InvoiceIssued'"
        )
    assert [r["number"] for r in rows] == [f"FAC-2027-{n:06d}" for n in range(1, issued + 1)]
    assert len(stored) == issued


def test_threads_racing_on_one_series_never_skip_or_repeat():
    """Many threads allocate from one NumberSeries through the real store: optimistic concurrency keeps it gap-free."""
    from commands.billing import open_series
    from commands.retry import retry_on_conflict
    from infra.kernel.command_context import SYSTEM

    taken: list[str] = []
    lock = threading.Lock()

    async def main():
        async with billing_system() as (runtime, _):
            store = runtime.store

            @retry_on_conflict
            def take(count: int) -> list[str]:
                series = open_series(store, "FAC", 2031)
                numbers = series.allocate(count)
                store.save_as(SYSTEM, series)
                return numbers

            def worker(count: int) -> None:
                for _ in range(5):
                    for attempt in range(20):
                        try:
                            numbers = take(count)
                            break
                        except Exception:
                            if attempt == 19:
                                raise
                    with lock:
                        taken.extend(numbers)

            threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2, 3, 4, 5, 6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

    asyncio.run(main())
    expected = 5 * (1 + 2 + 3 + 4 + 5 + 6)
    assert sorted(taken) == [f"FAC-2031-{n:06d}" for n in range(1, expected + 1)]


async def test_invoice_events_are_published_to_the_invoice_topic_on_kafka():
    from schemas.envelopes import decode
    from tests.support import read_topic

    async with billing_system(kafka=True) as (runtime, client):
        owners = await _portfolio(client, 2)
        run, invoices = await billed(runtime, client)
        settings = runtime.settings
        records = await read_topic(settings.kafka_bootstrap, settings.topic("invoice"), expected=4)
        run_records = await read_topic(settings.kafka_bootstrap, settings.topic("billing_run"), expected=4)
    events = [decode(r.value) for r in records]
    issued = [e for e in events if e.type == "mtf.invoice.InvoiceIssued"]
    assert sorted(e.data["client_id"] for e in issued) == sorted(owners)
    assert {e.subject for e in events} == {i["invoice_id"] for i in invoices}
    assert (
        sorted(e.type for e in events)
        == ["mtf.invoice.InvoiceDocumentIssued"] * 2 + ["mtf.invoice.InvoiceIssued"] * 2
    )
    assert all(r.key.decode() == decode(r.value).subject for r in records)
    assert (
        issued[0].data["lines"][0]["net"] == "50.00"
        and issued[0].dataschema == "urn:mtf:schema:invoice.InvoiceIssued:v1"
    )
    assert [decode(r.value).type.rsplit(".", 1)[1] for r in run_records][0] == "BillingRunStarted"
    assert (
        decode(run_records[-1].value).type == "mtf.billing_run.BillingRunCompleted"
        and run["status"] == "completed"
    )
