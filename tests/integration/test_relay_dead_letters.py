"""A stored event the relay cannot make into its CloudEvent: parked with its error, the aggregate's later
events held behind it, everything else delivered; after the fix, the relay delivers them in order when it
next leads. Real PostgreSQL; a relay of its own beside the system's, with a sink that records."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import orjson
import pytest

from infra.messaging.kafka import KafkaSink
from infra.messaging.relay import Relay
from schemas import envelopes
from tests.flows import register_client
from tests.support import ADMIN, AUDITOR, OPERATOR, eventually, fresh_settings, read_topic, serving


class Recorded:
    def __init__(self) -> None:
        self.events = []

    async def deliver(self, events) -> None:
        self.events += events


async def test_the_relay_parks_what_it_cannot_publish_holds_what_follows_and_delivers_both_after_a_fix(
    monkeypatch: pytest.MonkeyPatch,
):
    async with serving(fresh_settings(kafka=False)) as (runtime, client):
        poison = (await register_client(client))["id"]
        other = (await register_client(client))["id"]
        changed = await client.post(
            f"/api/v1/clients/{poison}/status",
            json={"status": "suspended", "reason": "test"},
            headers=OPERATOR,
        )
        assert changed.status_code == 200

        async def projected() -> bool:  # the system's own relay is done: it stays idle from here
            answer = await client.get(f"/api/v1/clients/{poison}", headers=OPERATOR)
            return answer.status_code == 200 and answer.json()["status"] == "suspended"

        await eventually(projected)

        to_cloudevent = envelopes.to_cloudevent

        def broken(notification, state, **options):
            if str(notification.originator_id) == poison and notification.originator_version == 1:
                raise ValueError("cannot encode this one")
            return to_cloudevent(notification, state, **options)

        monkeypatch.setattr(envelopes, "to_cloudevent", broken)
        sink = Recorded()
        relay = Relay(runtime.store, runtime.pool, sink, name="probe")
        await relay.relay_once()

        delivered = {(e.subject, e.event_name) for e in sink.events}
        assert (other, "ClientRegistered") in delivered and not any(s == poison for s, _ in delivered)
        listed = await client.get("/api/v1/dead-letters", params={"status": "parked"}, headers=AUDITOR)
        mine = [d for d in listed.json()["items"] if d["consumer"] == "relay:probe"]
        assert [(d["event_type"], d["held"]) for d in mine] == [
            ("ClientRegistered", False),
            ("ClientStatusChanged", True),
        ]
        assert "cannot encode this one" in mine[0]["error"]
        assert (await client.get("/ready")).json()["checks"]["relay"]["parked"] == 2
        by_api = await client.post(f"/api/v1/dead-letters/{mine[0]['id']}/retry", headers=ADMIN)
        assert by_api.status_code == 409 and by_api.json()["error"]["code"] == "dead_letter_retried_by_relay"

        monkeypatch.setattr(envelopes, "to_cloudevent", to_cloudevent)  # the fix
        sink.events.clear()
        assert await relay.redeliver_parked() == [d["id"] for d in mine]
        assert [(e.subject, e.event_name, e.aggregateversion) for e in sink.events] == [
            (poison, "ClientRegistered", 1),
            (poison, "ClientStatusChanged", 2),
        ]
        assert (await client.get("/ready")).json()["checks"]["relay"]["parked"] == 0


async def test_a_parked_event_is_announced_on_the_dead_letter_topic_without_its_data(kafka_system):
    runtime, _ = kafka_system
    sink = KafkaSink(runtime.settings)
    stored = SimpleNamespace(
        id=41, topic="domain.client:Client.ClientRegistered", originator_id=uuid4(), originator_version=1
    )
    try:
        await sink.announce_parked("relay:kafka", [(stored, "ValueError: cannot encode this one", False)])
    finally:
        await sink.stop()
    [record] = await read_topic(runtime.settings.kafka_bootstrap, sink.dead_letter_topic, expected=1)
    assert record.key == str(stored.originator_id).encode()
    assert orjson.loads(record.value) == {
        "consumer": "relay:kafka",
        "position": 41,
        "stored_topic": "domain.client:Client.ClientRegistered",
        "aggregate_id": str(stored.originator_id),
        "aggregate_version": 1,
        "error": "ValueError: cannot encode this one",
        "held": False,
    }
