"""Issued documents on the real database: an Arabic-speaking business customer's invoice, a credit note's PDF for the
operator and the customer, verification from the QR code, and the monthly statement of what the customer owes."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from datetime import date

from pypdf import PdfReader

from infra.pdf import pool as pdf_pool
from tests.billing_flows import billed, contract, offer
from tests.integration.test_self_service_landing import LANDING, _line, _session_of, landing_system
from tests.support import AUDITOR, OPERATOR

MERYEM = {
    "cin": "QA654321",
    "full_name": "مريم العلوي",
    "email": "meryem@example.ma",
    "address": "حي الرياض، زنقة النخيل، الرباط",
    "language": "ar",
    "ice": "001525478000032",
}
VERIFY = "/api/v1/documents/verify"


def _text(pdf: bytes) -> str:
    return unicodedata.normalize(
        "NFKC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    ).replace("\u00a0", " ")


def _fingerprint(text: str) -> str:
    return re.search(r"Empreinte SHA-256[^\n]*\n([0-9a-f]{64})", text).group(1)


async def _head(runtime) -> int:
    return await runtime.pool.fetchval("SELECT max(notification_id) FROM eventstore.mtf_events")


async def _registered(client, body: dict) -> str:
    created = await client.post("/api/v1/clients", json=body, headers=OPERATOR)
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_an_arabic_speaking_business_gets_its_invoice_in_its_language_and_anyone_can_verify_it():
    async with landing_system() as (runtime, client):
        meryem = await _registered(client, MERYEM)
        await contract(client, meryem, await offer(client, "99.00", "50.00"))
        view = (
            await client.get(
                f"/api/v1/clients/{meryem}",
                params={"consistency_token": await _head(runtime)},
                headers=OPERATOR,
            )
        ).json()
        assert (view["language"], view["ice"]) == ("ar", "001525478000032")

        _, (invoice,) = await billed(runtime, client)
        pdf = (await client.get(f"/api/v1/invoices/{invoice['invoice_id']}/pdf", headers=AUDITOR)).content
        text = _text(pdf)
        for expected in (
            "مريم العلوي",
            "حي الرياض، زنقة النخيل، الرباط",
            "فاتورة",
            "FACTURE",
            invoice["number"],
            "ICE 001525478000032",
            f"ICE {runtime.settings.operator_ice}",
            f"IF {runtime.settings.operator_if}",
            "Total TTC",
            "178,80 MAD",
            "Arrêtée la présente facture à la somme de : cent soixante-dix-huit dirhams et quatre-vingts centimes",
        ):
            assert expected in re.sub(r"[ \n]+", " ", text), expected

        for sha256 in (
            _fingerprint(text),
            invoice["document"]["sha256"],
        ):  # the QR code's fingerprint, or the file's own hash
            answer = await client.get(
                VERIFY, params={"number": invoice["number"], "sha256": sha256}
            )  # public: no key
            assert answer.status_code == 200 and answer.json() == {
                "number": invoice["number"],
                "issued": True,
                "issue_date": "2026-11-02",
            }
        forged = await client.get(VERIFY, params={"number": invoice["number"], "sha256": "0" * 64})
        assert forged.json() == {"number": invoice["number"], "issued": False, "issue_date": None}
        elsewhere = await client.get(
            VERIFY, params={"number": "FAC-2026-999999", "sha256": invoice["document"]["sha256"]}
        )
        assert elsewhere.json()["issued"] is False
        for bad in (
            {"number": "X-1", "sha256": "0" * 64},
            {"number": invoice["number"], "sha256": "XYZ"},
            {"number": invoice["number"]},
        ):
            refused = await client.get(VERIFY, params=bad)
            assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_failed"


async def test_a_credit_note_has_a_pdf_for_the_operator_and_for_its_customer_alone():
    async with landing_system() as (runtime, client):
        mobile = await offer(client, "99.00")
        owner, stranger = (
            await _registered(
                client, {**MERYEM, "language": "fr", "full_name": "Amina Benali", "address": "Rabat"}
            ),
            await _registered(client, {**MERYEM, "cin": "QB111222"}),
        )
        line = await _line(client, owner, mobile)
        await _line(client, stranger, mobile)
        _, invoices = await billed(runtime, client)
        invoice = next(i for i in invoices if i["client_id"] == owner)
        note = await client.post(
            f"/api/v1/invoices/{invoice['invoice_id']}/credit-notes",
            json={"reason": "Coupure réseau"},
            headers=OPERATOR,
        )
        assert note.status_code == 201, note.text
        seen = await client.get(
            f"/api/v1/credit-notes/{note.json()['id']}",
            params={"consistency_token": note.json()["position"]},
            headers=AUDITOR,
        )
        assert seen.status_code == 200  # projected: the visitor's list reads the same register

        pdf = await client.get(f"/api/v1/credit-notes/{note.json()['id']}/pdf", headers=AUDITOR)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = _text(pdf.content)
        for expected in (
            "AVOIR",
            "AV-2026-000001",
            invoice["number"],
            "Coupure réseau",
            "Amina Benali",
            "Arrêté le présent avoir",
        ):
            assert expected in text, expected
        verified = await client.get(VERIFY, params={"number": "AV-2026-000001", "sha256": _fingerprint(text)})
        assert verified.json()["issued"] is True
        history = (await client.get(f"/api/v1/event-history/{note.json()['id']}", headers=AUDITOR)).json()[
            "items"
        ]
        assert [e["type"] for e in history] == [
            "mtf.credit_note.CreditNoteIssued",
            "mtf.credit_note.CreditNoteDocumentIssued",
        ]

        visitor = await _session_of(runtime, client, MERYEM["cin"], line["number"])
        mine = (await client.get(f"{LANDING}/me/credit-notes", headers=visitor)).json()["items"]
        assert [n["number"] for n in mine] == ["AV-2026-000001"]
        own = await client.get(f"{LANDING}/me/credit-notes/{note.json()['id']}/pdf", headers=visitor)
        assert own.content == pdf.content
        other_visitor = await _session_of(
            runtime,
            client,
            "QB111222",
            (await client.get("/api/v1/contracts", params={"client": stranger}, headers=AUDITOR)).json()[
                "items"
            ][0]["number"],
        )
        assert (
            await client.get(f"{LANDING}/me/credit-notes/{note.json()['id']}/pdf", headers=other_visitor)
        ).status_code == 404
        assert (await client.get(f"/api/v1/credit-notes/{note.json()['id']}/pdf")).status_code == 401


async def test_the_monthly_statement_says_what_was_billed_credited_and_paid_and_what_is_owed():
    async with landing_system() as (runtime, client):
        owner = await _registered(
            client, {**MERYEM, "language": "fr", "full_name": "Amina Benali", "address": "Rabat"}
        )
        line = await _line(client, owner, await offer(client, "99.00", "50.00"))
        _, (invoice,) = await billed(runtime, client)  # 178.80 on 2026-11-02
        runtime.clock.set_today(date(2026, 11, 10))
        note = await client.post(
            f"/api/v1/invoices/{invoice['invoice_id']}/credit-notes",
            json={"reason": "Geste", "lines": [{"line_no": 1}]},
            headers=OPERATOR,
        )  # the activation fee: 60.00
        await client.get(
            f"/api/v1/credit-notes/{note.json()['id']}",
            params={"consistency_token": note.json()["position"]},
            headers=AUDITOR,
        )
        runtime.clock.set_today(date(2026, 11, 20))
        paid = await client.post(
            "/api/v1/payments",
            json={"client_id": owner, "amount": "100.00", "method": "bank_transfer", "reference": "VIR-1"},
            headers=OPERATOR,
        )
        assert paid.status_code == 201, paid.text
        await client.get(
            f"/api/v1/payments/{paid.json()['id']}",
            params={"consistency_token": paid.json()["position"]},
            headers=AUDITOR,
        )
        runtime.clock.set_today(date(2026, 12, 7))

        statement = await client.get(f"/api/v1/clients/{owner}/statements/2026-11", headers=AUDITOR)
        assert statement.status_code == 200 and statement.headers["content-type"] == "application/pdf"
        text = re.sub(r"[ \n]+", " ", _text(statement.content))
        for expected in (
            "RELEVÉ DE COMPTE",
            "11/2026",
            "Solde au début du mois 0,00 MAD",
            f"Facture {invoice['number']}",
            "178,80",
            "Avoir AV-2026-000001",
            "60,00",
            "118,80",
            "Paiement VIR-1",
            "100,00",
            "18,80",
            "Reste à payer 18,80 MAD",
        ):
            assert expected in text, expected
        october = re.sub(
            r"[ \n]+",
            " ",
            _text((await client.get(f"/api/v1/clients/{owner}/statements/2026-10", headers=AUDITOR)).content),
        )
        assert "Solde à la fin du mois 0,00 MAD" in october  # nothing was issued in October itself
        visitor = await _session_of(runtime, client, MERYEM["cin"], line["number"])
        assert (
            await client.get(f"{LANDING}/me/statements/2026-11", headers=visitor)
        ).content == statement.content
        for month, status in (("2026-13", 422), ("2027-01", 422)):
            refused = await client.get(f"/api/v1/clients/{owner}/statements/{month}", headers=AUDITOR)
            assert refused.status_code == status, refused.text
        unknown = await client.get(
            "/api/v1/clients/00000000-0000-0000-0000-000000000000/statements/2026-11", headers=AUDITOR
        )
        assert unknown.status_code == 404


async def test_a_run_renders_its_pdfs_on_two_processes_while_it_stores_the_blocks_before():
    """Blocks of 8: two on the pool (the second rendering while the first is stored), the last one here."""
    async with landing_system(billing_block_size=8, pdf_workers=2) as (
        runtime,
        client,
    ):  # 8 and more go to the pool
        mobile = await offer(client, "99.00")
        names = [f"Client Numéro {i}" for i in range(15)] + [
            "عميل رقم عشرة",
            "عميل رقم أحد عشر",
        ]  # two take the reportlab path
        owners = {}
        for i, name in enumerate(names):
            owner = await _registered(
                client,
                {
                    **MERYEM,
                    "cin": f"QC{100000 + i}",
                    "full_name": name,
                    "language": "ar" if i >= 15 else "fr",
                },
            )
            owners[owner] = name
            await contract(client, owner, mobile)
        run, invoices = await billed(runtime, client)
        assert run["invoices_issued"] == len(names) == len(invoices)
        assert 2 in pdf_pool._pools  # the blocks of 8 went to a pool of two processes
        for invoice in invoices:
            pdf = await client.get(f"/api/v1/invoices/{invoice['invoice_id']}/pdf", headers=AUDITOR)
            assert (
                pdf.status_code == 200
                and hashlib.sha256(pdf.content).hexdigest() == invoice["document"]["sha256"]
            )
            text = _text(pdf.content)
            assert invoice["number"] in text and owners[invoice["client_id"]] in text
