"""Personal data sealed in the events with each client's own data key (crypto-shredding).

When an event carrying personal fields (domain/privacy.py) is stored, those fields leave the state
and travel in one AES-GCM ciphertext under `_sealed_`, written `<key id>.<base64 nonce+ciphertext>`,
bound to the event's aggregate id. Each client has one data key, kept in `eventstore.data_keys`
wrapped (AES-GCM again) by the master key from the settings, so a copy of the database alone opens
nothing. Erasing the client destroys its key: the wrapped key and the link to the client are
cleared, and from then on every stored copy of its personal fields reads as erased, in every load,
every replay and every backup, while its invoices and payments, never sealed, stay whole.

The master key is what a KMS would hold: `MasterKey.wrap`/`unwrap` is the interface to move there.
Keys are cached per process for `KEY_CACHE_S`, so another process may still open a destroyed key's
data for that long after the erasure (the erasing process forgets it at once).
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from typing import Any, Callable, Iterable, Protocol
from uuid import UUID, uuid4

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.privacy import PersonalFields, personal_fields_of

SEALED = "_sealed_"
KEY_CACHE_S = 10.0
KEYS_TABLE = "eventstore.data_keys"
# Development and tests only: the production profile refuses to start without MTF_MASTER_KEY.
DEVELOPMENT_SECRET = hashlib.sha256(b"mt-facturation development master key").digest()

CREATE_KEYS_TABLE = f"""CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (
    key_id       uuid PRIMARY KEY,
    subject_id   uuid UNIQUE,
    wrapped      bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz
)"""


class KeyDestroyed(Exception):
    """The data key was destroyed: what it sealed is erased."""


class MasterKey:
    """Wraps and unwraps data keys; what a KMS would do behind the same two calls."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("the master key is 32 bytes (base64 of 32 bytes in MTF_MASTER_KEY)")
        self._aead = AESGCM(secret)

    @classmethod
    def from_text(cls, text: str | None) -> MasterKey:
        return cls(base64.b64decode(text) if text else DEVELOPMENT_SECRET)

    def wrap(self, key_id: UUID, key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, key, key_id.bytes)

    def unwrap(self, key_id: UUID, wrapped: bytes) -> bytes:
        return self._aead.decrypt(wrapped[:12], wrapped[12:], key_id.bytes)


class DataKeys(Protocol):
    """Each client's data key: made on first use, found by id, destroyed on erasure."""

    def for_subject(self, subject: UUID) -> tuple[UUID, bytes]: ...

    def new_for(self, subject: UUID) -> tuple[UUID, bytes]:
        """A key for a client whose first event is being stored; its row is written with that event."""
        ...

    def take_pending(self) -> list[tuple[str, tuple[Any, ...]]]:
        """The rows of the keys made for the append this thread is preparing (and forgets them)."""
        ...

    def forget_pending(self, rows: list[tuple[str, tuple[Any, ...]]]) -> None:
        """An append that failed: the keys its rows would have written do not exist."""
        ...

    def by_id(self, key_id: UUID) -> bytes | None: ...

    def prefetch(self, key_ids: Iterable[UUID]) -> None: ...

    def destroy(self, subject: UUID) -> bool: ...


class _Cache:
    def __init__(self) -> None:
        self._entries: dict[UUID, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: UUID) -> tuple[bool, Any]:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, key: UUID, value: Any) -> None:
        with self._lock:
            if len(self._entries) > 200_000:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + KEY_CACHE_S, value)

    def forget(self, key: UUID) -> None:
        with self._lock:
            self._entries.pop(key, None)


INSERT_KEYS = (
    f"INSERT INTO {KEYS_TABLE} (key_id, subject_id, wrapped) "
    "SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::bytea[])"
)


class PostgresDataKeys:
    """The key store on PostgreSQL, through the event store's connection pool.

    A new client's key is written by the append that stores its first event (a row beside the events, in
    the same statement): no round trip of its own, and never a key without its client or the reverse."""

    def __init__(self, connection: Callable[[], Any], master: MasterKey) -> None:
        self._connection = connection
        self.master = master
        install(master)
        self._by_id = _Cache()
        self._by_subject = _Cache()
        self._pending = threading.local()

    def new_for(self, subject: UUID) -> tuple[UUID, bytes]:
        found, entry = self._by_subject.get(subject)
        if found:
            return entry
        key_id, key = uuid4(), AESGCM.generate_key(bit_length=256)
        self._pending.__dict__.setdefault("keys", []).append((key_id, subject, self.master.wrap(key_id, key)))
        self._by_subject.put(subject, (key_id, key))
        self._by_id.put(key_id, key)
        return key_id, key

    def take_pending(self) -> list[tuple[str, tuple[Any, ...]]]:
        """One row (a multi-row insert) writing every key made for the append being prepared."""
        keys = self._pending.__dict__.pop("keys", [])
        return [(INSERT_KEYS, tuple(map(list, zip(*keys))))] if keys else []

    def forget_pending(self, rows: list[tuple[str, tuple[Any, ...]]]) -> None:
        """An append that failed: the keys it would have written do not exist."""
        for _, (key_ids, subjects, _wrapped) in rows:
            for key_id, subject in zip(key_ids, subjects):
                self._by_subject.forget(subject)
                self._by_id.forget(key_id)

    def for_subject(self, subject: UUID) -> tuple[UUID, bytes]:
        found, entry = self._by_subject.get(subject)
        if found:
            return entry
        key_id, key = uuid4(), AESGCM.generate_key(bit_length=256)
        with self._connection() as conn:
            conn.execute(
                f"INSERT INTO {KEYS_TABLE} (key_id, subject_id, wrapped) VALUES (%s, %s, %s) "
                "ON CONFLICT (subject_id) DO NOTHING",
                (key_id, subject, self.master.wrap(key_id, key)),
            )
            row = conn.execute(
                f"SELECT key_id, wrapped FROM {KEYS_TABLE} WHERE subject_id = %s", (subject,)
            ).fetchone()
            conn.commit()
        key_id, wrapped = _row(row)
        entry = (key_id, self.master.unwrap(key_id, wrapped))
        self._by_subject.put(subject, entry)
        self._by_id.put(key_id, entry[1])
        return entry

    def by_id(self, key_id: UUID) -> bytes | None:
        found, key = self._by_id.get(key_id)
        if not found:
            self.prefetch([key_id])
            key = self._by_id.get(key_id)[1]
        return key

    def prefetch(self, key_ids: Iterable[UUID]) -> None:
        wanted = [k for k in set(key_ids) if not self._by_id.get(k)[0]]
        if not wanted:
            return
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT key_id, wrapped FROM {KEYS_TABLE} WHERE key_id = ANY(%s)", (wanted,)
            ).fetchall()
        keys = dict(map(_row, rows))
        for key_id in wanted:
            wrapped = keys.get(key_id)
            self._by_id.put(key_id, self.master.unwrap(key_id, wrapped) if wrapped else None)

    def destroy(self, subject: UUID) -> bool:
        with self._connection() as conn:
            row = conn.execute(
                f"UPDATE {KEYS_TABLE} SET wrapped = NULL, subject_id = NULL, destroyed_at = now() "
                "WHERE subject_id = %s RETURNING key_id",
                (subject,),
            ).fetchone()
            conn.commit()
        self._by_subject.forget(subject)
        if row is not None:
            self._by_id.put(_first(row), None)
        return row is not None


class MemoryDataKeys:
    """The key store in memory, for the handlers' unit tests."""

    def __init__(self, master: MasterKey | None = None) -> None:
        self.master = master or MasterKey(DEVELOPMENT_SECRET)
        self.keys: dict[UUID, bytes | None] = {}
        self.subjects: dict[UUID, UUID] = {}

    def for_subject(self, subject: UUID) -> tuple[UUID, bytes]:
        if subject not in self.subjects:
            key_id = uuid4()
            self.subjects[subject] = key_id
            self.keys[key_id] = AESGCM.generate_key(bit_length=256)
        key_id = self.subjects[subject]
        return key_id, self.keys[key_id]

    def by_id(self, key_id: UUID) -> bytes | None:
        return self.keys.get(key_id)

    def new_for(self, subject: UUID) -> tuple[UUID, bytes]:
        return self.for_subject(subject)

    def take_pending(self) -> list[tuple[str, tuple[Any, ...]]]:
        return []

    def forget_pending(self, rows: list) -> None:
        pass

    def prefetch(self, key_ids: Iterable[UUID]) -> None:
        pass

    def destroy(self, subject: UUID) -> bool:
        key_id = self.subjects.pop(subject, None)
        if key_id is None:
            return False
        self.keys[key_id] = None
        return True


def _first(row: Any) -> UUID:
    return row["key_id"] if isinstance(row, dict) else row[0]


def _row(row: Any) -> tuple[UUID, bytes | None]:
    if isinstance(row, dict):
        return row["key_id"], row["wrapped"] and bytes(row["wrapped"])
    return row[0], row[1] and bytes(row[1])


def seal(key_id: UUID, key: bytes, aggregate_id: UUID, plaintext: bytes) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext, aggregate_id.bytes)
    return f"{key_id.hex}.{base64.b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> UUID:
    return UUID(hex=token.partition(".")[0])


_SEALED_JSON = b'"' + SEALED.encode() + b'":"'


def sealed_key_id(stored_state: bytes) -> UUID | None:
    """The data key a stored state's personal fields are sealed with, read off its bytes without decoding
    it (for fetching a page's keys in one query); None if it seals nothing."""
    at = stored_state.find(_SEALED_JSON)
    if at < 0:
        return None
    start = at + len(_SEALED_JSON)
    return UUID(hex=stored_state[start : start + 32].decode())


def unseal(token: str, aggregate_id: UUID, key: bytes | None) -> bytes:
    """The sealed bytes, or KeyDestroyed. A token moved to another aggregate, or altered, fails its tag."""
    if key is None:
        raise KeyDestroyed(token.partition(".")[0])
    raw = base64.b64decode(token.partition(".")[2])
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], aggregate_id.bytes)
    except InvalidTag:
        raise ValueError(f"the personal data of {aggregate_id} does not open with its key") from None


def erased(fields: PersonalFields) -> dict[str, Any]:
    return {name: fields.erased for name in fields.fields}


_master: MasterKey | None = None


def install(master: MasterKey) -> None:
    """The process's master key, for the readers that open personal data on an asyncpg connection."""
    global _master
    _master = master


async def opened_fields(conn: Any, events_table: str, aggregate_id: UUID, version: int) -> dict[str, Any]:
    """The personal fields of one stored event, read on a read model's own connection: opened, erased, or
    as stored by a version that did not seal them yet. Empty for an event without personal fields."""
    stored = await conn.fetchrow(
        f"SELECT topic, state FROM {events_table} WHERE originator_id = $1 AND originator_version = $2",
        aggregate_id,
        version,
    )
    personal = stored and personal_fields_of(stored["topic"])
    if not personal:
        return {}
    state = orjson.loads(stored["state"])
    token = state.get(SEALED)
    if token is None:
        return {name: state.get(name) for name in personal.fields}
    key_id = key_id_of(token)
    wrapped = await conn.fetchval(f"SELECT wrapped FROM {KEYS_TABLE} WHERE key_id = $1", key_id)
    if wrapped is None:
        return erased(personal)
    master = _master or MasterKey(DEVELOPMENT_SECRET)
    return orjson.loads(unseal(token, aggregate_id, master.unwrap(key_id, bytes(wrapped))))
