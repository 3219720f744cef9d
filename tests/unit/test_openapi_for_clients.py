"""The OpenAPI document is good enough to generate a client from: readable ids, summaries, typed PDFs and headers."""

from __future__ import annotations

import re

import pytest

from infra.runtime.export import openapi_document


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_has_a_readable_unique_id_and_a_summary(document):
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids)) >= 70
    assert all(re.fullmatch(r"[a-z][a-zA-Z]+", i) for i in ids), [
        i for i in ids if not re.fullmatch(r"[a-z][a-zA-Z]+", i)
    ]
    by_path = {(m.upper(), p): op["operationId"] for p, m, op in _operations(document)}
    assert by_path[("POST", "/api/v1/contracts")] == "provisionContract"
    assert by_path[("GET", "/api/v1/invoices")] == "listInvoices"
    for path, method, operation in _operations(document):
        summary = operation["summary"]
        assert summary[0].isupper() and len(summary.split()) >= 2, (method, path, summary)


def test_every_tag_used_is_described(document):
    described = {t["name"]: t["description"] for t in document["tags"]}
    used = {tag for _, _, op in _operations(document) for tag in op["tags"]}
    assert used <= set(described), used - set(described)
    assert all(len(d) > 20 for d in described.values())


def test_pdfs_are_binary(document):
    pdfs = [
        p
        for p, _, op in _operations(document)
        if "application/pdf" in op["responses"].get("200", {}).get("content", {})
    ]
    # invoice, credit note, contract document and statement, for operators and for the visitor
    assert sorted(pdfs) == sorted(
        [
            "/api/v1/invoices/{invoice_id}/pdf",
            "/api/v1/credit-notes/{credit_note_id}/pdf",
            "/api/v1/contracts/{contract_id}/documents/{document_id}",
            "/api/v1/clients/{client_id}/statements/{month}",
            "/api/v1/landing/me/invoices/{invoice_id}/pdf",
            "/api/v1/landing/me/credit-notes/{credit_note_id}/pdf",
            "/api/v1/landing/contracts/{contract_id}/document",
            "/api/v1/landing/me/statements/{month}",
        ]
    )
    for path in pdfs:
        assert document["paths"][path]["get"]["responses"]["200"]["content"]["application/pdf"]["schema"] == {
            "type": "string",
            "format": "binary",
        }


def test_accepted_commands_document_their_consistency_token_and_creations_their_location(document):
    registered = document["paths"]["/api/v1/clients"]["post"]["responses"]["201"]["headers"]
    assert set(registered) == {"Location", "X-Consistency-Token"}
    suspended = document["paths"]["/api/v1/contracts/{contract_id}/suspension"]["post"]["responses"]["200"][
        "headers"
    ]
    assert set(suspended) == {"X-Consistency-Token"}
    assert "headers" not in document["paths"]["/api/v1/clients"]["get"]["responses"]["200"]


def test_the_visitor_token_is_a_bearer_scheme(document):
    assert document["components"]["securitySchemes"]["VisitorToken"]["scheme"] == "bearer"
    mine = document["paths"]["/api/v1/landing/me/invoices"]["get"]
    assert mine["security"] == [{"VisitorToken": []}]
    assert "403" not in mine["responses"] and "401" in mine["responses"]


def test_a_route_without_an_operation_id_stops_the_start():
    from fastapi import FastAPI

    from gateways.operations import name_operations

    app = FastAPI()
    app.add_api_route("/api/v1/unlisted", lambda: None, methods=["GET"])
    with pytest.raises(RuntimeError, match="GET /api/v1/unlisted has no operationId"):
        name_operations(app)
