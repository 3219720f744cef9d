"""ClientStatusChanged v2 (reason_code added): a v1 event, stored or already published, reads as v2."""

from __future__ import annotations

import uuid

import orjson
from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.utils import get_topic

from domain.client import Client
from infra.eventstore.memory import InMemoryEventStore
from infra.kernel.command_context import CommandContext, recording_as
from schemas.catalog import EVENTS
from schemas.envelopes import decode, encode, public_cloudevent

TOPIC = get_topic(Client.ClientStatusChanged)
V1_STATE = {
    "timestamp": {"_type_": "datetime_iso", "_data_": "2026-05-01T10:00:00+00:00"},
    "originator_topic": "domain.client:Client",
    "status": "suspended",
    "reason": "unpaid",
    "_meta": {"actor": "staff:amina", "role": "operator", "correlation_id": "c-1", "causation_id": "c-1"},
}


def test_the_catalog_publishes_v2_and_keeps_the_v1_schema():
    spec = EVENTS[TOPIC]
    assert (spec.version, spec.dataschema) == (2, "urn:mtf:schema:client.ClientStatusChanged:v2")
    assert [version for version, _ in spec.versions()] == [1, 2]
    assert "reason_code" not in spec.versions()[0][1].model_fields


def test_a_v1_event_stored_before_v2_loads_as_v2_with_the_default_code():
    store = InMemoryEventStore()
    client_id = uuid.uuid4()
    event = store.mapper.to_domain_event(StoredEvent(client_id, 2, TOPIC, orjson.dumps(V1_STATE)))
    assert (event.status, event.reason, event.reason_code) == ("suspended", "unpaid", "other")


def test_a_new_event_is_stored_as_v2():
    store = InMemoryEventStore()
    client = Client(cin="AB123456", full_name="A B", email="a@b.ma", address="x", phone=None)
    client.change_status("suspended", "fraud check", "fraud")
    with recording_as(CommandContext(actor="staff:amina", role="operator")):
        stored = [store.mapper.to_stored_event(e) for e in client.collect_events()][-1]
    state = orjson.loads(stored.state)
    assert (state["class_version"], state["reason_code"]) == (2, "fraud")


def test_the_relay_publishes_a_stored_v1_event_as_v2():
    store = InMemoryEventStore()
    stored = Notification(
        id=7, originator_id=uuid.uuid4(), originator_version=2, topic=TOPIC, state=orjson.dumps(V1_STATE)
    )
    published = public_cloudevent(stored, store.decode_state)
    assert published.dataschema.endswith(":v2")
    assert published.data == {"status": "suspended", "reason": "unpaid", "reason_code": "other"}


def test_a_consumer_reads_a_v1_message_as_v2_and_a_v2_message_as_it_is():
    store = InMemoryEventStore()
    stored = Notification(
        id=7, originator_id=uuid.uuid4(), originator_version=2, topic=TOPIC, state=orjson.dumps(V1_STATE)
    )
    v2 = public_cloudevent(stored, store.decode_state)
    v1 = v2.model_copy(
        update={
            "dataschema": "urn:mtf:schema:client.ClientStatusChanged:v1",
            "data": {"status": "suspended", "reason": "unpaid"},
        }
    )
    assert decode(encode(v1)) == v2
    fraud = v2.model_copy(update={"data": {**v2.data, "reason_code": "fraud"}})
    assert decode(encode(fraud)) == fraud
