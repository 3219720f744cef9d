"""Personal data sealed per client: what the key store, the mapper and the published events do with it."""

from __future__ import annotations

import uuid

import orjson
import pytest
from pydantic import ValidationError

from commands.clients import RegisterClient, register_client
from domain.client import Client
from infra.eventstore.memory import InMemoryEventStore
from infra.eventstore.personal_data import MasterKey, seal, unseal
from infra.kernel.command_context import CommandContext
from infra.kernel.settings import Settings
from schemas.envelope import OpenedCloudEvent
from schemas.envelopes import public_cloudevents

PERSON = {
    "cin": "ab 123456",
    "full_name": "Yasmine El Idrissi",
    "email": "yasmine@example.ma",
    "address": "7 Rue Atlas, Fes",
    "phone": "+212612345678",
}
CTX = CommandContext(actor="staff:amina", role="operator")


def _registered() -> tuple[InMemoryEventStore, uuid.UUID]:
    store = InMemoryEventStore()
    return store, register_client(store, RegisterClient(**PERSON), CTX).id


def test_the_stored_event_holds_no_personal_field_and_loads_with_all_of_them():
    store, client_id = _registered()
    stored = b"".join(n.state for n in store.notifications(0, 10))
    assert [t for t in (b"AB123456", b"Yasmine", b"yasmine@", b"Atlas", b"612345678") if t in stored] == []
    client = store.load(Client, client_id, what="client")
    assert (client.cin, client.full_name, client.phone) == ("AB123456", "Yasmine El Idrissi", "+212612345678")


def test_destroying_the_key_erases_every_field_and_nothing_else():
    store, client_id = _registered()
    store.data_keys.destroy(client_id)
    client = store.load(Client, client_id, what="client")
    assert {client.cin, client.full_name, client.email, client.address, client.phone} == {"[erased]"}
    assert (client.language, client.status) == ("fr", "active")


def test_a_sealed_value_moved_to_another_aggregate_or_altered_does_not_open():
    master = MasterKey.from_text(None)
    key_id, key = uuid.uuid4(), bytes(32)
    owner = uuid.uuid4()
    token = seal(key_id, key, owner, b'{"cin":"AB123456"}')
    assert unseal(token, owner, key) == b'{"cin":"AB123456"}'
    with pytest.raises(ValueError, match="does not open"):
        unseal(token, uuid.uuid4(), key)
    assert master.unwrap(key_id, master.wrap(key_id, key)) == key


def test_published_events_carry_masked_fields_and_only_this_process_keeps_them_in_full():
    store, client_id = _registered()
    (event,) = public_cloudevents(store.notifications(0, 10), store.decode_state)
    assert isinstance(event, OpenedCloudEvent)
    assert {k: event.data[k] for k in ("cin", "full_name", "email", "address", "phone")} == {
        "cin": "AB****56",
        "full_name": "Y. E. I.",
        "email": "y***@example.ma",
        "address": "***",
        "phone": "+212*******78",
    }
    assert event.personal["cin"] == "AB123456"
    assert b"AB123456" not in orjson.dumps(event.model_dump(mode="json"))


def test_the_master_key_is_32_bytes_and_required_in_production():
    assert Settings(_env_file=None, master_key="").master_key is None
    with pytest.raises(ValidationError, match="exactly 32 bytes"):
        Settings(_env_file=None, master_key="c2hvcnQ=")
    with pytest.raises(ValidationError, match="MTF_MASTER_KEY"):
        Settings(_env_file=None, profile="production", api_keys={})
