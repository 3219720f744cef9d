"""Contract PDFs: issued on provisioning and plan change, stored with metadata, downloadable, audited."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import uuid
from datetime import date, datetime, timezone

import pytest
from pypdf import PdfReader

from domain.client import Client
from infra.eventstore.port import ConcurrencyConflict
from infra.eventstore.store import APPEND_LOCK
from infra.kernel.command_context import CommandContext
from infra.storage.documents import contract_document
from tests.flows import create_offer
from tests.support import AUDITOR, OPERATOR

PERSON = {
    "cin": "UV 908172",
    "full_name": "Khadija Benjelloun",
    "email": "khadija@example.ma",
    "address": "14 Rue Tarik, Tetouan",
}


async def _documents(client, contract_id: str, position: int) -> list[dict]:
    response = await client.get(
        f"/api/v1/contracts/{contract_id}/documents", params={"consistency_token": position}, headers=AUDITOR
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_provisioning_issues_a_pdf_with_every_required_field(in_process_system):
    runtime, client = in_process_system
    offer = await create_offer(client, monthly_fee="99.00")
    created = (
        await client.post(
            "/api/v1/contracts",
            json={"client": PERSON, "offer_id": offer["id"], "commitment_months": 12},
            headers=OPERATOR,
        )
    ).json()
    documents = await _documents(client, created["id"], created["position"])
    assert [d["reason"] for d in documents] == ["provisioning"]

    download = await client.get(documents[0]["download"], headers=AUDITOR)
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    pdf = download.content
    assert hashlib.sha256(pdf).hexdigest() == documents[0]["sha256"] and len(pdf) == documents[0]["size"]

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\u00a0", " ")
    view = (await client.get(f"/api/v1/contracts/{created['id']}", headers=AUDITOR)).json()
    expected = [
        runtime.settings.operator_name,
        f"ICE {runtime.settings.operator_ice}",
        "CONTRAT D'ABONNEMENT",
        "Khadija Benjelloun",
        "UV****72",
        "Mobile",
        view["number"],
        "Mobile 20 Go",
        "Data 20 Go",
        "99,00 MAD",
        "50,00 MAD",
        "12 mois",
        date.today().strftime("%d/%m/%Y"),
        view["reference"],
    ]
    assert [field for field in expected if field not in text] == []
    # The customer's reference is drawn at random: nothing in the contract id (public on Kafka and in lists) gives it.
    assert re.fullmatch(r"CT-[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}", view["reference"])
    assert uuid.UUID(created["id"]).hex[:8].upper() not in text
    assert "UV908172" not in text, "the CIN is masked on the document"


async def test_plan_change_issues_another_document_and_the_trail_records_both(in_process_system):
    _, client = in_process_system
    offer = await create_offer(client, monthly_fee="99.00")
    created = (
        await client.post(
            "/api/v1/contracts",
            json={"client": {**PERSON, "cin": "WX102938"}, "offer_id": offer["id"]},
            headers=OPERATOR,
        )
    ).json()
    premium = await create_offer(client, monthly_fee="149.00")
    changed = await client.post(
        f"/api/v1/contracts/{created['id']}/plan-changes",
        json={"offer_id": premium["id"], "effective_date": date.today().isoformat()},
        headers=OPERATOR,
    )
    assert changed.status_code == 200, changed.text
    documents = await _documents(client, created["id"], changed.json()["position"])
    assert [d["reason"] for d in documents] == ["provisioning", "plan_change"]
    assert documents[0]["sha256"] != documents[1]["sha256"]
    trail = (await client.get(f"/api/v1/contracts/{created['id']}/audit-trail", headers=AUDITOR)).json()[
        "items"
    ]
    issued = [e for e in trail if e["event_type"] == "ContractDocumentIssued"]
    assert [e["after"]["document_sha256"] for e in issued] == [d["sha256"] for d in documents]
    assert all(e["role"] == "operator" and e["correlation_id"] for e in issued)


async def test_unknown_document_is_404(in_process_system):
    _, client = in_process_system
    offer = await create_offer(client)
    created = (
        await client.post(
            "/api/v1/contracts",
            json={"client": {**PERSON, "cin": "YZ564738"}, "offer_id": offer["id"]},
            headers=OPERATOR,
        )
    ).json()
    await _documents(client, created["id"], created["position"])
    missing = await client.get(f"/api/v1/contracts/{created['id']}/documents/{uuid.uuid4()}", headers=AUDITOR)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "document_not_found"
    nobody = await client.get(f"/api/v1/contracts/{uuid.uuid4()}/documents", headers=AUDITOR)
    assert nobody.status_code == 404


async def test_a_document_is_written_with_its_events_or_not_at_all(in_process_system):
    """The row commits in the append's statement: a refused append leaves no document behind."""
    runtime, _ = in_process_system
    store, ctx = runtime.store, CommandContext(actor="test", role="operator")
    holder = Client(
        cin="AB123456", full_name="Rachid Alami", email="rachid@example.ma", address="Fes", phone=None
    )
    store.save_as(ctx, holder)
    first, second = (store.load(Client, holder.id, what="client") for _ in range(2))
    first.add_contract(uuid.uuid4(), "mobile")
    second.add_contract(uuid.uuid4(), "mobile")
    kept, row_kept = contract_document(
        uuid.uuid4(), uuid.uuid4(), "provisioning", b"%PDF kept", datetime.now(timezone.utc)
    )
    lost, row_lost = contract_document(
        uuid.uuid4(), uuid.uuid4(), "provisioning", b"%PDF lost", datetime.now(timezone.utc)
    )

    store.save_as(ctx, first, alongside=[row_kept])
    with pytest.raises(ConcurrencyConflict):
        store.save_as(ctx, second, alongside=[row_lost])

    rows = await runtime.pool.fetch(
        "SELECT document_id, sha256 FROM documents.contract_documents WHERE document_id = ANY($1)",
        [kept.document_id, lost.document_id],
    )
    assert [(r["document_id"], r["sha256"]) for r in rows] == [(kept.document_id, kept.sha256)]
    assert store.load(Client, holder.id, what="client").contracts == first.contracts


async def test_a_document_is_written_before_its_append_takes_the_log_lock(in_process_system):
    """Appends are serialised by one lock held until commit: the PDF row must not be written
    inside it. Another transaction holds that lock and an uncommitted row with the document's
    id: an append that writes its document first waits on that row, not on the lock."""
    runtime, _ = in_process_system
    store, ctx = runtime.store, CommandContext(actor="test", role="operator")
    holder = Client(
        cin="CD654321", full_name="Salma Idrissi", email="salma@example.ma", address="Rabat", phone=None
    )
    document, row = contract_document(
        uuid.uuid4(), uuid.uuid4(), "provisioning", b"%PDF waiting", datetime.now(timezone.utc)
    )
    async with runtime.pool.acquire() as blocker, runtime.pool.acquire() as observer:
        blocking = blocker.transaction()
        await blocking.start()
        await blocker.execute("SELECT pg_advisory_xact_lock($1)", APPEND_LOCK)
        await blocker.execute(
            "INSERT INTO documents.contract_documents (document_id, contract_id, reason, sha256, size, "
            "created_at, pdf) "
            "VALUES ($1, $2, 'provisioning', 'other', 1, now(), 'x')",
            document.document_id,
            uuid.uuid4(),
        )
        append = asyncio.create_task(asyncio.to_thread(store.save_as, ctx, holder, alongside=[row]))
        waits_on = None
        for _ in range(300):
            waits_on = await observer.fetchval(
                "SELECT string_agg(locktype, ',') FROM pg_locks WHERE NOT granted"
            )
            if waits_on:
                break
            await asyncio.sleep(0.01)
        await blocking.rollback()
        await append
    assert waits_on == "transactionid", (
        f"the append waited on {waits_on!r}: its document was not written first"
    )
    stored = await runtime.pool.fetchval(
        "SELECT sha256 FROM documents.contract_documents WHERE document_id = $1", document.document_id
    )
    assert stored == document.sha256
