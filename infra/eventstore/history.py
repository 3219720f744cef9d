"""The event store as an auditor reads it: an aggregate's recorded events, and its state as of a moment.

Both read the store itself, never a read model. Events are shown in their published CloudEvents
form, so an auditor reads the fields a downstream system received; internal markers (number
reservations, CIN registrations, ...) are shown too, since auditors read everything.

"As of" is recorded time: the state the store held at that instant, replayed from the events
recorded up to it. Business dates inside the events (start and effective dates) are data; a
plan change recorded today with a later effective date is in today's state, on its timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from psycopg.rows import tuple_row

from infra.eventstore.application import replayed
from infra.eventstore.store import EVENTS_TABLE, PostgresEventStore
from schemas.catalog import spec_for_stored_topic
from schemas.envelope import CloudEvent
from schemas.envelopes import to_cloudevent, to_json_compatible

_STREAM = (
    f"SELECT notification_id, originator_version, topic, state FROM {EVENTS_TABLE} "
    "WHERE originator_id = %s ORDER BY originator_version"
)


class HistoryErased(Exception):
    """The stream starts at an *Erased event: the history before it was removed with its personal data."""


@dataclass(frozen=True)
class RecordedEvents:
    aggregate_type: str
    events: list[CloudEvent]
    total: int  # events in the whole stream


@dataclass(frozen=True)
class StateAsOf:
    aggregate_type: str
    version: int
    position: int  # log position of the last event applied
    recorded_at: datetime  # when that event was recorded
    state: dict[str, Any]


def recorded_events(
    store: PostgresEventStore, aggregate_id: UUID, *, limit: int, offset: int
) -> RecordedEvents | None:
    """One page of the aggregate's events in version order; None if nothing was ever recorded under this id."""
    with store.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
        # Every event of a stream names the same aggregate type, so any one of its topics tells it.
        total, topic = cursor.execute(
            f"SELECT count(*), max(topic) FROM {EVENTS_TABLE} WHERE originator_id = %s", (aggregate_id,)
        ).fetchone()
        if not total:
            return None
        rows = cursor.execute(_STREAM + " LIMIT %s OFFSET %s", (aggregate_id, limit, offset)).fetchall()
    notifications = [
        Notification(id=n, originator_id=aggregate_id, originator_version=v, topic=t, state=bytes(s))
        for n, v, t, s in rows
    ]
    events = [to_cloudevent(n, store.decode_state(n)) for n in notifications]
    return RecordedEvents(spec_for_stored_topic(topic).aggregate, events, total)


def state_as_of(store: PostgresEventStore, aggregate_id: UUID, moment: datetime) -> StateAsOf | None:
    """The aggregate replayed from the events recorded up to `moment` (timezone-aware); None if none were."""
    with store.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
        rows = cursor.execute(_STREAM, (aggregate_id,)).fetchall()
    applied: list[tuple[int, Any]] = []
    for position, version, topic, state in rows:
        event = store.mapper.to_domain_event(StoredEvent(aggregate_id, version, topic, bytes(state)))
        if event.timestamp > moment:
            break
        applied.append((position, event))
    if not applied:
        return None
    if type(applied[0][1]).__name__.endswith("Erased"):
        raise HistoryErased(str(aggregate_id))
    aggregate = replayed(None, (event for _, event in applied))
    position, last = applied[-1]
    return StateAsOf(
        spec_for_stored_topic(rows[0][2]).aggregate,
        last.originator_version,
        position,
        last.timestamp,
        _fields(aggregate),
    )


def _fields(aggregate: Any) -> dict[str, Any]:
    """The aggregate's own attributes, as JSON (eventsourcing's bookkeeping, prefixed `_`, left out)."""
    fields = {name: value for name, value in vars(aggregate).items() if not name.startswith("_")}
    return to_json_compatible(fields)
