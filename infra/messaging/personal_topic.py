"""The compacted personal-data topic (mtf.client-pii.v1): each client's personal data in full, keyed by
client id, for the downstream systems entitled to it; a tombstone (null value) when the client is erased,
so compaction removes the data from Kafka too. The public topics carry it masked."""

from __future__ import annotations

from typing import Sequence
from uuid import UUID

import orjson

from domain.client import Client
from domain.privacy import ERASED
from infra.eventstore.application import ApplicationStore
from schemas.envelope import CloudEvent
from schemas.personal_data import ClientPersonalData

CHANGED = ("ClientRegistered", "ClientDetailsUpdated")
ERASURE = "ClientErased"

Record = tuple[bytes, bytes | None]  # (key, value); None is a tombstone


def personal_records(store: ApplicationStore, events: Sequence[CloudEvent]) -> list[Record]:
    """The records a delivered batch implies: a client's current personal data once per batch for the
    clients whose details were recorded, a tombstone for each erased one.

    The current data, not each event's: a compacted topic keeps only the latest record of a key, and an
    erased client's data, unreadable now, is not published at all (its tombstone follows)."""
    changed: list[UUID] = []
    tombstones: list[UUID] = []
    for event in events:
        if event.aggregatetype != "client":
            continue
        if event.event_name in CHANGED and event.aggregate_id not in changed:
            changed.append(event.aggregate_id)
        elif event.event_name == ERASURE:
            tombstones.append(event.aggregate_id)
    clients = store.load_any(changed) if changed else {}
    records: list[Record] = []
    for client_id in changed:
        client = clients.get(client_id)
        if isinstance(client, Client) and not client.erased and client.cin != ERASED:
            records.append((str(client_id).encode(), orjson.dumps(_record(client).model_dump())))
    records.extend((str(client_id).encode(), None) for client_id in tombstones)
    return records


def _record(client: Client) -> ClientPersonalData:
    return ClientPersonalData(
        client_id=str(client.id),
        version=client.version,
        cin=client.cin,
        full_name=client.full_name,
        email=client.email,
        address=client.address,
        phone=client.phone,
        language=client.language,
    )
