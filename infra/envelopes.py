"""Turns stored events into CloudEvents, and CloudEvents into Kafka records and back.

The relay, the in-process delivery and `mtf replay` all go through `to_cloudevent`, so every
projection sees byte-identical input whichever path an event took.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

import orjson
from eventsourcing.persistence import Notification

from schemas.catalog import spec_for_stored_topic
from schemas.envelope import CONTENT_TYPE, CloudEvent

EVENT_ID_NAMESPACE = UUID("0b7f4f55-2f7e-4d5b-8c9e-6a1d3c0e9f21")
_ENVELOPE_FIELDS = ("timestamp", "originator_topic", "_meta")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json_compatible(state: dict[str, Any]) -> dict[str, Any]:
    return orjson.loads(orjson.dumps(state, default=_json_default))


def event_id(aggregate_id: UUID, version: int) -> str:
    return str(uuid5(EVENT_ID_NAMESPACE, f"{aggregate_id}/{version}"))


def to_cloudevent(notification: Notification, state: dict[str, Any]) -> CloudEvent:
    spec = spec_for_stored_topic(notification.topic)
    meta = state.get("_meta") or {}
    data = {k: v for k, v in state.items() if k not in _ENVELOPE_FIELDS}
    return CloudEvent(
        id=event_id(notification.originator_id, notification.originator_version),
        type=spec.type,
        subject=str(notification.originator_id),
        time=state["timestamp"],
        dataschema=spec.dataschema,
        data=to_json_compatible(data),
        aggregatetype=spec.aggregate,
        aggregateversion=notification.originator_version,
        position=notification.id,
        correlationid=meta.get("correlation_id") or "",
        causationid=meta.get("causation_id") or "",
        actor=meta.get("actor") or "unknown",
        actorrole=meta.get("role") or "unknown",
        reason=meta.get("reason"),
        traceparent=meta.get("traceparent"),
    )


def public_cloudevents(notifications, decode_state) -> list[CloudEvent]:
    """The published events among `notifications`; internal markers stay in the store."""
    return [to_cloudevent(n, decode_state(n)) for n in notifications if spec_for_stored_topic(n.topic).public]


def encode(event: CloudEvent) -> bytes:
    return orjson.dumps(event.model_dump(mode="json"))


def decode(raw: bytes) -> CloudEvent:
    return CloudEvent.model_validate(orjson.loads(raw))


def kafka_headers(event: CloudEvent) -> list[tuple[str, bytes]]:
    headers = [
        ("content-type", CONTENT_TYPE.encode()),
        ("ce_type", event.type.encode()),
        ("ce_id", event.id.encode()),
        ("correlation_id", event.correlationid.encode()),
        ("causation_id", event.causationid.encode()),
    ]
    if event.traceparent:
        headers.append(("traceparent", event.traceparent.encode()))
    return headers
