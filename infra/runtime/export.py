"""Exports the public contracts: event JSON Schemas, the AsyncAPI document and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

import orjson

from infra.kernel.settings import Settings
from infra.runtime import asyncapi
from infra.runtime.app import create_app
from schemas.catalog import EVENTS
from schemas.envelope import CloudEvent

_PRETTY = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def _write(path: Path, document) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=_PRETTY) + b"\n")
    return path


def event_schemas(out: Path) -> list[Path]:
    written = [_write(out / "events" / "cloudevent.envelope.json", CloudEvent.model_json_schema())]
    for spec in EVENTS.values():
        if not spec.public:
            continue
        for version, payload in spec.versions():
            schema = payload.model_json_schema()
            schema["$id"] = spec.dataschema_of(version)
            schema["title"] = spec.type
            written.append(_write(out / "events" / f"{spec.aggregate}.{spec.name}.v{version}.json", schema))
    return written


def asyncapi_document() -> dict:
    return asyncapi.document(Settings(_env_file=None).topic)


def write_events_page(page: Path) -> Path:
    """docs/events.html: the AsyncAPI document rendered for the downstream teams."""
    page.write_text(asyncapi.rendered(asyncapi_document()))
    return page


def openapi_document() -> dict:
    return create_app(Settings(_env_file=None)).openapi()


TOPICS_BEGIN = "<!-- topics: written by `make schemas` from schemas/catalog.py -->"
TOPICS_END = "<!-- end of topics -->"


def topics_table() -> str:
    """The published events of each topic, topics in name order, as a Markdown table."""
    by_aggregate: dict[str, list[str]] = {}
    for spec in EVENTS.values():
        if spec.public:
            by_aggregate.setdefault(spec.aggregate, []).append(f"`{spec.name}`")
    rows = [
        f"| `mtf.{aggregate}.v1` | {', '.join(names)} |" for aggregate, names in sorted(by_aggregate.items())
    ]
    return "\n".join(["| topic | events |", "| --- | --- |", *rows])


def with_topics_table(document: str) -> str:
    """The event catalog page with its topics table written afresh between the markers."""
    before, rest = document.split(TOPICS_BEGIN, 1)
    _, after = rest.split(TOPICS_END, 1)
    return f"{before}{TOPICS_BEGIN}\n{topics_table()}\n{TOPICS_END}{after}"


def write_topics_table(page: Path) -> Path:
    page.write_text(with_topics_table(page.read_text()))
    return page


def export_all(out: Path) -> list[Path]:
    return [
        *event_schemas(out),
        _write(out / "asyncapi.json", asyncapi_document()),
        _write(out / "openapi.json", openapi_document()),
    ]
