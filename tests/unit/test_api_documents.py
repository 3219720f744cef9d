"""The printed API documents in docs/ are the current rendering of the OpenAPI document and the guides: every
endpoint is in the reference with who may call it and a curl, and every journey step names a real operation."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pypdf import PdfReader

from infra.pdf.api_docs import api_reference, guides, operations, process_map
from infra.pdf.process_steps import JOURNEYS

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = json.loads((ROOT / "schemas/generated/openapi.json").read_text())


def test_the_committed_api_documents_are_current():
    for name, render in (("api-reference", api_reference), ("api-process-map", process_map)):
        assert (ROOT / "docs" / f"{name}.pdf").read_bytes() == render(OPENAPI, guides(ROOT)), (
            f"docs/{name}.pdf is stale: make docs"
        )


def test_every_endpoint_is_in_the_reference_with_its_access_and_a_curl():
    listed = operations(OPENAPI, guides(ROOT))
    documented = {(m.upper(), p) for p, item in OPENAPI["paths"].items() for m in item}
    assert {(op.method, op.path) for op in listed} == documented
    assert all(op.curl.startswith("curl ") and op.access for op in listed)
    by_id = {op.operation_id: op for op in listed}
    assert by_id["provisionContract"].access == "API key: operator, integrator"
    assert (
        by_id["verifyDocument"].access == "public"
        and by_id["listMyInvoices"].access == "the self-service visitor's token"
    )
    assert '-d \'{"client_id"' in by_id["provisionContract"].curl  # the guide's own example
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(api_reference(OPENAPI, guides(ROOT)))).pages
    )
    assert all(op.path in text.replace("\n", "") for op in listed)


def test_every_journey_step_is_an_operation_of_the_api():
    known = {op["operationId"] for item in OPENAPI["paths"].values() for op in item.values()}
    assert {step.operation_id for journey in JOURNEYS for step in journey.steps} <= known
