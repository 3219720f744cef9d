"""Billing input: the contract histories, discounts and client identities as of one log position.

Read from the event store up to the run's recorded position: first a light pass naming who the run
bills (`read_roster`), then each block's clients' own histories. Reading the log rather than the
read models is what makes a run reproducible: the same position gives the same input.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterator
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from domain.billing import ContractHistory, DiscountTerms
from domain.client import Client
from domain.contract import Contract
from domain.discount import Discount, terms_of
from domain.period import Period
from infra.eventstore.personal_data import SEALED, key_id_of
from infra.eventstore.port import EventStore


@dataclass(frozen=True)
class ClientIdentity:
    full_name: str
    cin: str
    address: str
    language: str = "fr"
    ice: str | None = None


@dataclass
class BillingInput:
    """Some clients' contract histories, discounts and identities, as of one log position."""

    position: int
    contracts: dict[UUID, list[ContractHistory]] = field(default_factory=dict)  # by client
    discounts: dict[UUID, list[DiscountTerms]] = field(default_factory=dict)  # by client
    identities: dict[UUID, ClientIdentity] = field(default_factory=dict)


@dataclass(frozen=True)
class BillingRoster:
    """Who a run bills, in the run's order, and where each one's history lies in the log: all a worker
    keeps for a whole run. Each block reads its own clients' histories (`input_for`), so a worker's
    memory grows with one block, not with the portfolio (docs/performance.md)."""

    position: int
    period: Period
    clients: list[str]  # hex ids, sorted: the order of str(UUID), which runs have always used
    origins: dict[str, bytes]  # client -> the ids of its contracts and discounts, 16 bytes each

    def __len__(self) -> int:
        return len(self.clients)

    def clients_at(self, block: slice) -> list[UUID]:
        return [UUID(hex_id) for hex_id in self.clients[block]]

    def input_for(self, store: EventStore, clients: list[UUID]) -> BillingInput:
        """These clients' contracts and discounts: one read of those events, by id. Their identities,
        which only documents show, are read by `identities_of` (opening them is a decryption each)."""
        ids = []
        for client in clients:
            packed = self.origins.get(client.hex, b"")
            ids.extend(UUID(bytes=packed[i : i + 16]) for i in range(0, len(packed), 16))
        return _fold(store, self.position, store.history_of(ids, BILLED_TOPICS, self.position))

    def identities_of(self, store: EventStore, clients: list[UUID]) -> dict[UUID, ClientIdentity]:
        """What these clients' documents show of them; reads their client events only."""
        events = store.history_of(list(clients), CLIENT_TOPICS, self.position)
        return _fold(store, self.position, events).identities


def read_roster(store: EventStore, position: int, period: Period) -> BillingRoster:
    """One light pass over the log up to `position`: who may bill in the period (a client with a contract
    started before the period's end and not terminated before its first day) and where their histories are.
    Only three topics are read and only ids and dates kept, as the hex and ISO text they are stored as."""
    end, first_day = period.end.isoformat(), period.first_day.isoformat()
    origins: dict[str, bytes] = {}
    unended: dict[bytes, str] = {}  # contract -> client, for contracts started before the period's end
    billed: set[str] = set()
    for originator, topic, stored in store.scan(ROSTER_TOPICS, position):
        state = orjson.loads(stored)
        if topic == TERMINATED:
            client = unended.pop(originator.bytes, None)
            if client is not None and _stored_text(state["on"]) >= first_day:
                billed.add(client)
            continue
        client = sys.intern(_stored_text(state["client_id"]))
        origins[client] = origins.get(client, b"") + originator.bytes
        if topic == PROVISIONED and _stored_text(state["start_date"]) < end:
            unended[originator.bytes] = client
    billed.update(unended.values())
    del unended
    return BillingRoster(position, period, sorted(billed), {client: origins[client] for client in billed})


def _stored_text(value: Any) -> str:
    """An id or a date as eventsourcing stored it (hex, ISO), without building the object."""
    return value["_data_"] if type(value) is dict else value


def _fold(store: EventStore, position: int, events: Iterator[tuple[UUID, str, bytes]]) -> BillingInput:
    result = BillingInput(position)
    by_id: dict[UUID, ContractHistory] = {}
    discounts: dict[UUID, dict[str, Any]] = {}
    details: dict[UUID, list[tuple[str, dict[str, Any]]]] = {}
    for originator, name, data in _decoded(events):
        if name == "ContractProvisioned":
            history = ContractHistory.provisioned(originator, data)
            by_id[originator] = history
            result.contracts.setdefault(history.client_id, []).append(history)
        elif name.startswith("Contract") and originator in by_id:
            by_id[originator].apply(name, data)
        elif name == "DiscountGranted":
            discounts[originator] = data
        elif name == "DiscountEnded" and originator in discounts:
            discounts[originator]["to_period"] = data["last_period"]
        elif name in ("ClientRegistered", "ClientDetailsUpdated"):
            details.setdefault(originator, []).append((name, data))
    result.identities = _identities(store, details)
    for discount_id, state in discounts.items():
        terms = terms_of(discount_id, state)
        result.discounts.setdefault(terms.client_id, []).append(terms)
    return result


KEYS_PER_QUERY = 10_000


def _identities(
    store: EventStore, details: dict[UUID, list[tuple[str, dict[str, Any]]]]
) -> dict[UUID, ClientIdentity]:
    """Each client's identity for its documents, its personal fields opened with the client's key. The
    keys are fetched a chunk of clients at a time (one query per chunk, not one per client), each chunk
    opened before the next is fetched: the key cache need not hold every client's key at once."""
    identities: dict[UUID, ClientIdentity] = {}
    clients = list(details.items())
    for start in range(0, len(clients), KEYS_PER_QUERY):
        chunk = clients[start : start + KEYS_PER_QUERY]
        store.data_keys.prefetch(
            key_id_of(data[SEALED]) for _, changes in chunk for _, data in changes if data.get(SEALED)
        )
        for client_id, changes in chunk:
            for name, data in changes:
                _fold_identity(store, identities, client_id, name, data)
    return identities


def _fold_identity(
    store: EventStore,
    identities: dict[UUID, ClientIdentity],
    client_id: UUID,
    name: str,
    data: dict[str, Any],
) -> None:
    if token := data.pop(SEALED, None):
        data.update(store.open_sealed(CLIENT + name, client_id, token))
    language = data["language"] or "fr"
    if name == "ClientRegistered":
        identities[client_id] = ClientIdentity(
            data["full_name"], data["cin"], data["address"], language, data["ice"]
        )
    elif client_id in identities:
        cin = identities[client_id].cin
        identities[client_id] = ClientIdentity(data["full_name"], cin, data["address"], language, data["ice"])


# What billing reads of each event. Only these fields are decoded: a run reads every contract
# event, and decoding whole states through the generic transcoder cost a run dearly (docs/performance.md).
CONTRACT, DISCOUNT, CLIENT = (get_topic(aggregate) + "." for aggregate in (Contract, Discount, Client))
FIELDS = {
    CONTRACT + "ContractProvisioned": (
        "client_id",
        "number",
        "service",
        "start_date",
        "activation_fee",
        "offer_id",
        "offer_version",
        "offer_name",
        "monthly_fee",
    ),
    CONTRACT + "ContractActivated": ("on",),
    CONTRACT + "ContractSuspended": ("on",),
    CONTRACT + "ContractResumed": ("on",),
    CONTRACT + "ContractTerminated": ("on", "early_termination_charge"),
    CONTRACT + "ContractPlanChanged": (
        "offer_id",
        "offer_version",
        "offer_name",
        "monthly_fee",
        "effective_date",
    ),
    DISCOUNT + "DiscountGranted": (
        "client_id",
        "contract_id",
        "kind",
        "value",
        "from_period",
        "to_period",
        "label",
    ),
    DISCOUNT + "DiscountEnded": ("last_period",),
    # The personal fields are sealed (SEALED); these names are for states stored before they were.
    CLIENT + "ClientRegistered": ("full_name", "cin", "address", "language", "ice", SEALED),
    CLIENT + "ClientDetailsUpdated": ("full_name", "address", "language", "ice", SEALED),
}
TOPICS = list(FIELDS)
CLIENT_TOPICS = [topic for topic in TOPICS if topic.startswith(CLIENT)]
BILLED_TOPICS = [topic for topic in TOPICS if topic not in CLIENT_TOPICS]
PROVISIONED, TERMINATED = CONTRACT + "ContractProvisioned", CONTRACT + "ContractTerminated"
ROSTER_TOPICS = [PROVISIONED, TERMINATED, DISCOUNT + "DiscountGranted"]
# Contract events billing reads nothing from, each with why. A contract event in neither FIELDS nor here fails
# tests/unit/test_billing_reads_every_contract_event.py: billing must be told about every new one.
NOT_BILLED = {CONTRACT + "ContractDocumentIssued": "a contract sheet changes nothing that is billed"}


class _Decoder:
    """eventsourcing's stored JSON, decoded field by field (ids repeat, so they are interned)."""

    def __init__(self) -> None:
        self.uuids: dict[str, UUID] = {}
        self.typed = {"uuid_hex": self.uuid, "decimal_str": Decimal, "date_iso": date.fromisoformat}

    def uuid(self, hex32: str) -> UUID:
        found = self.uuids.get(hex32)
        if found is None:
            found = self.uuids[hex32] = UUID(hex32)
        return found

    def payload(self, topic: str, stored: bytes) -> dict[str, Any]:
        state = orjson.loads(stored)
        payload = {}
        for key in FIELDS[topic]:
            value = state.get(key)  # None for a field added after the event was recorded
            if type(value) is dict:
                value = self.typed[value["_type_"]](value["_data_"])
            payload[key] = value
        return payload


def _decoded(events: Iterator[tuple[UUID, str, bytes]]) -> Iterator[tuple[UUID, str, dict[str, Any]]]:
    decoder = _Decoder()
    for originator_id, topic, state in events:
        yield originator_id, topic.rsplit(".", 1)[1], decoder.payload(topic, state)
