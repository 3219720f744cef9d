"""The committed public contracts under schemas/generated/ match the code (run `make schemas`)."""

from __future__ import annotations

from pathlib import Path

import orjson

from infra.runtime.asyncapi import rendered
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


def test_the_events_page_renders_the_current_asyncapi_document():
    page = Path(__file__).resolve().parents[2] / "docs" / "events.html"
    assert page.read_text() == rendered(asyncapi_document()), "docs/events.html is stale: run `make schemas`"


def test_each_topic_lists_one_typed_message_per_event_with_its_key_and_headers():
    document = asyncapi_document()
    schemas = document["components"]["schemas"]
    channel = document["channels"]["mtf.client.v1"]
    assert set(channel["messages"]) >= {"ClientRegistered", "ClientDetailsUpdated", "ClientErased"}
    message = document["components"]["messages"]["client.ClientRegistered"]
    assert message["bindings"]["kafka"]["key"]["format"] == "uuid"
    assert message["headers"] == {"$ref": "#/components/schemas/KafkaHeaders"}
    envelope = schemas["client.ClientRegistered.envelope"]["allOf"][1]["properties"]
    assert envelope["type"] == {"const": "mtf.client.ClientRegistered"}
    assert envelope["data"] == {"$ref": "#/components/schemas/client.ClientRegistered"}
    assert "cin" in schemas["client.ClientRegistered"]["required"]
    fee = schemas["contract.ContractProvisioned"]["properties"]["monthly_fee"]
    assert fee["type"] == "string" and "pattern" in fee  # money is a decimal string, never a number
    refs = [v for v in _all_values(document) if isinstance(v, str) and v.startswith("#/")]
    for ref in refs:  # every reference resolves inside the document
        node = document
        for part in ref[2:].split("/"):
            node = node[part]


def _all_values(node):
    if isinstance(node, dict):
        for value in node.values():
            yield value
            yield from _all_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_values(value)
