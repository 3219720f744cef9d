"""The committed public contracts under schemas/generated/ match the code (run `make schemas`)."""

from __future__ import annotations

from pathlib import Path

import orjson

from infra.runtime.export import asyncapi_document, event_schemas, openapi_document, with_topics_table

GENERATED = Path(__file__).resolve().parents[2] / "schemas" / "generated"


def test_event_schemas_are_current(tmp_path):
    for fresh in event_schemas(tmp_path):
        committed = GENERATED / fresh.relative_to(tmp_path)
        assert committed.exists(), f"{committed} missing: run make schemas"
        assert committed.read_bytes() == fresh.read_bytes(), f"{committed} is stale: run make schemas"


def test_asyncapi_and_openapi_are_current():
    assert orjson.loads((GENERATED / "asyncapi.json").read_bytes()) == asyncapi_document()
    assert orjson.loads((GENERATED / "openapi.json").read_bytes()) == openapi_document()


def test_the_event_catalog_page_lists_every_published_event_under_its_topic():
    page = (Path(__file__).resolve().parents[2] / "docs" / "event-catalog.md").read_text()
    assert with_topics_table(page) == page, "docs/event-catalog.md is stale: run `make schemas`"
