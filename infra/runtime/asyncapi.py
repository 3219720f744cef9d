"""The AsyncAPI 3.0 document of the published events, typed: per topic (channel), one message per event
type whose payload is the CloudEvent envelope with that event's `type`, `dataschema` and `data` schema;
the Kafka key and headers described. Built from the event catalog, so it cannot drift from what the
relay publishes; `mtf export-schemas` writes it, and an HTML rendering for the downstream teams."""

from __future__ import annotations

import html
from typing import Any

from schemas.catalog import EVENTS, EventSpec
from schemas.envelope import CloudEvent
from schemas.personal_data import PII_TOPIC_NAME, PII_TYPE, ClientPersonalData

PERSONAL_DATA = "client-pii.ClientPersonalData"

ENVELOPE = "CloudEvent"
HEADERS = {
    "type": "object",
    "description": "Kafka record headers, copied from the envelope for consumers that route without parsing.",
    "properties": {
        "content-type": {"type": "string", "const": "application/cloudevents+json"},
        "ce_type": {"type": "string", "description": "The event type (mtf.<aggregate>.<Event>)."},
        "ce_id": {"type": "string", "description": "The event id: the same for every copy of one event."},
        "correlation_id": {"type": "string"},
        "causation_id": {"type": "string"},
        "traceparent": {"type": "string", "description": "W3C trace context, when the command was traced."},
    },
    "required": ["content-type", "ce_type", "ce_id", "correlation_id", "causation_id"],
}
KEY = {
    "type": "string",
    "format": "uuid",
    "description": "The aggregate id (the envelope's subject): one aggregate's events share a partition, in order.",
}


def document(topic_of) -> dict[str, Any]:
    """`topic_of(aggregate)`: the topic name of an aggregate's events (with the deployment's prefix)."""
    schemas: dict[str, Any] = {
        ENVELOPE: _hoisted(CloudEvent.model_json_schema(), ENVELOPE, {}),
        "KafkaHeaders": HEADERS,
    }
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in sorted((s for s in EVENTS.values() if s.public), key=lambda s: (s.aggregate, s.name)):
        topic = topic_of(spec.aggregate)
        channel = channels.setdefault(
            topic,
            {
                "address": topic,
                "description": f"Events of the {spec.aggregate} aggregate, keyed by its id.",
                "messages": {},
            },
        )
        for version, payload in spec.versions():
            current = version == spec.version
            name = f"{spec.aggregate}.{spec.name}" + ("" if current else f".v{version}")
            schemas[name] = _hoisted(payload.model_json_schema(), name, schemas)
            schemas[f"{name}.envelope"] = _envelope(spec, name, version)
            messages[name] = _message(spec, name, payload, version)
            channel["messages"][spec.name if current else f"{spec.name}.v{version}"] = {
                "$ref": f"#/components/messages/{name}"
            }
    personal_topic = topic_of(PII_TOPIC_NAME)
    channels[personal_topic] = _personal_data_channel(personal_topic, schemas, messages)
    for topic, channel in channels.items():
        operations[f"publish {topic}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{m}"} for m in channel["messages"]],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "MT-Facturation events",
            "version": "1",
            "description": "Domain events, CloudEvents 1.0 in structured JSON mode; delivered at least once "
            "(deduplicate by id), in order per aggregate. Amounts are decimal strings.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"kafka": {"host": "kafka:9092", "protocol": "kafka"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _hoisted(schema: dict[str, Any], name: str, into: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local definitions moved to components/schemas as `<name>.<def>`."""
    defs = schema.pop("$defs", {})
    text = _rewrite(schema, name, defs)
    for key, definition in defs.items():
        into[f"{name}.{key}"] = _rewrite(definition, name, defs)
    return text


def _rewrite(node: Any, name: str, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                f"#/components/schemas/{name}.{v.rsplit('/', 1)[1]}"
                if k == "$ref" and v.startswith("#/$defs/")
                else _rewrite(v, name, defs)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(v, name, defs) for v in node]
    return node


def _envelope(spec: EventSpec, name: str, version: int) -> dict[str, Any]:
    return {
        "allOf": [
            {"$ref": f"#/components/schemas/{ENVELOPE}"},
            {
                "type": "object",
                "properties": {
                    "type": {"const": spec.type},
                    "dataschema": {"const": spec.dataschema_of(version)},
                    "aggregatetype": {"const": spec.aggregate},
                    "data": {"$ref": f"#/components/schemas/{name}"},
                },
            },
        ]
    }


def _message(spec: EventSpec, name: str, payload: type, version: int) -> dict[str, Any]:
    summary = (payload.__doc__ or "").strip().split("\n")[0] or None
    if version != spec.version:
        summary = f"Version {version}, published before version {spec.version}; read it as {spec.version}."
    return {
        "name": spec.name if version == spec.version else f"{spec.name}.v{version}",
        "title": spec.type,
        "summary": summary,
        "contentType": "application/cloudevents+json",
        "payload": {"$ref": f"#/components/schemas/{name}.envelope"},
        "headers": {"$ref": "#/components/schemas/KafkaHeaders"},
        "bindings": {"kafka": {"key": KEY, "bindingVersion": "0.5.0"}},
    }


def _personal_data_channel(topic: str, schemas: dict[str, Any], messages: dict[str, Any]) -> dict[str, Any]:
    """The compacted topic of clients' personal data: a state record per client, a tombstone on erasure."""
    schemas[PERSONAL_DATA] = _hoisted(ClientPersonalData.model_json_schema(), PERSONAL_DATA, schemas)
    messages[PERSONAL_DATA] = {
        "name": "ClientPersonalData",
        "title": PII_TYPE,
        "summary": "A client's personal data in full, as of its version; a null value (tombstone) once erased.",
        "contentType": "application/json",
        "payload": {"oneOf": [{"$ref": f"#/components/schemas/{PERSONAL_DATA}"}, {"type": "null"}]},
        "bindings": {"kafka": {"key": {**KEY, "description": "The client id."}, "bindingVersion": "0.5.0"}},
    }
    return {
        "address": topic,
        "description": "Compacted (cleanup.policy=compact): each client's latest personal data, for the consumers "
        "entitled to it. Erasure writes a tombstone, and compaction then removes the data from Kafka.",
        "messages": {"ClientPersonalData": {"$ref": f"#/components/messages/{PERSONAL_DATA}"}},
    }


def rendered(doc: dict[str, Any]) -> str:
    """The document as one HTML page: each topic, its events and each event's fields."""
    schemas = doc["components"]["schemas"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>MT-Facturation events</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}td,th{border:1px solid #ccc;"
        "padding:.25rem .5rem;text-align:left;vertical-align:top}code{background:#f4f4f4}</style></head><body>",
        f"<h1>{html.escape(doc['info']['title'])}</h1><p>{html.escape(doc['info']['description'])}</p>",
        "<p>Every message is a CloudEvent (<code>id</code>, <code>type</code>, <code>subject</code> = the aggregate "
        "id, <code>time</code>, <code>dataschema</code>, <code>position</code>, <code>correlationid</code>, "
        "<code>actor</code>...) whose <code>data</code> is described below; the Kafka key is the aggregate id.</p>",
    ]
    for topic, channel in doc["channels"].items():
        parts.append(f"<h2 id='{html.escape(topic)}'><code>{html.escape(topic)}</code></h2>")
        for event, ref in channel["messages"].items():
            name = ref["$ref"].rsplit("/", 1)[1]
            payload = schemas[name]
            parts.append(f"<h3>{html.escape(event)}</h3>")
            envelope = schemas.get(name + ".envelope")
            about = (
                f"<code>{html.escape(_const(envelope, 'dataschema'))}</code>"
                if envelope
                else html.escape(channel["description"])
            )
            parts.append(f"<p>{about}</p>")
            parts.append("<table><tr><th>field</th><th>type</th><th>required</th><th>about</th></tr>")
            required = set(payload.get("required", ()))
            for field, prop in payload.get("properties", {}).items():
                about = html.escape(prop.get("description", ""))
                parts.append(
                    f"<tr><td><code>{html.escape(field)}</code></td><td>{html.escape(_type(prop))}</td>"
                    f"<td>{'yes' if field in required else 'no'}</td><td>{about}</td></tr>"
                )
            parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _const(envelope: dict[str, Any], field: str) -> str:
    return envelope["allOf"][1]["properties"][field]["const"]


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit(".", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    if "enum" in prop:
        return " | ".join(map(str, prop["enum"]))
    if prop.get("type") == "array":
        return f"list of {_type(prop.get('items', {}))}"
    kind = prop.get("type", "object")
    return (
        f"{kind} ({prop['format']})"
        if "format" in prop
        else ("decimal string" if "pattern" in prop and kind == "string" else kind)
    )
