"""The one-time migration that seals the personal data stored before events were sealed.

Each stored event with personal fields (domain/privacy.py) whose state still holds them in clear is
rewritten in place, its fields sealed with the client's data key exactly as a new event's would be.
It runs at start-up under the migration lock; once done it is recorded and never scans again. This is
the one time the log is rewritten: the bytes change, what they mean does not (a load, a replay and the
published events are the same before and after, the personal fields masked on the public topics).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from psycopg.rows import tuple_row
from rich.progress import Progress

from domain.privacy import PERSONAL, personal_fields_of
from infra.eventstore.personal_data import SEALED
from infra.eventstore.store import EVENTS_TABLE, SCHEMA, PostgresEventStore

NAME = "seal-personal-data"
DONE_TABLE = f"{SCHEMA}.data_migrations"
BATCH = 1_000


def seal_stored_personal_data(store: PostgresEventStore, *, progress: bool = False) -> int:
    """Seals what is still stored in clear; returns how many events it rewrote (0 once done)."""
    with store.datastore.get_connection() as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {DONE_TABLE} (name text PRIMARY KEY, applied_at timestamptz NOT NULL)"
        )
        if conn.execute(f"SELECT 1 FROM {DONE_TABLE} WHERE name = %s", (NAME,)).fetchone():
            return 0
    sealed, after = 0, 0
    topics = [get_topic(event) for event in PERSONAL]
    with Progress(disable=not progress) as bar:
        task = bar.add_task("sealing personal data", total=None)
        while rows := _clear_rows(store, topics, after):
            sealed += _seal_rows(store, rows)
            after = rows[-1][0]
            bar.update(task, completed=sealed)
    with store.datastore.get_connection() as conn:
        conn.execute(f"INSERT INTO {DONE_TABLE} VALUES (%s, now()) ON CONFLICT DO NOTHING", (NAME,))
        conn.commit()
    return sealed


def _clear_rows(store: PostgresEventStore, topics: list[str], after: int) -> list[tuple]:
    with store.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
        return cursor.execute(
            f"""SELECT notification_id, originator_id, topic, state FROM {EVENTS_TABLE}
                WHERE notification_id > %s AND topic = ANY(%s) ORDER BY notification_id LIMIT %s""",
            (after, topics, BATCH),
        ).fetchall()


def _seal_rows(store: PostgresEventStore, rows: list[tuple]) -> int:
    rewritten = []
    for notification_id, originator_id, topic, state in rows:
        new_state = _sealed_state(store, originator_id, topic, store.mapper.transcoder.decode(bytes(state)))
        if new_state is not None:
            rewritten.append((new_state, notification_id))
    if rewritten:
        with store.datastore.get_connection() as conn:
            with conn.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {EVENTS_TABLE} SET state = %s WHERE notification_id = %s", rewritten
                )
            conn.commit()
    return len(rewritten)


def _sealed_state(store: PostgresEventStore, originator_id: Any, topic: str, state: dict) -> bytes | None:
    personal = personal_fields_of(topic)
    if personal is None or SEALED in state:
        return None
    store.mapper.seal_personal(personal, state, originator_id, first=False)  # its key made on its own
    return store.mapper.transcoder.encode(state)
