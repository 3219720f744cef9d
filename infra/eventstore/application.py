"""What both event stores share: the eventsourcing application that maps, stamps and replays events.

Events are stored as eventsourcing writes them (orjson for the encoding), with the command's
metadata under `_meta`; appends are atomic and versioned, so a concurrent change is a
ConcurrencyConflict. `PostgresEventStore` (store.py) and `InMemoryEventStore` (memory.py) add the
reads that depend on where the log is kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Sequence, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    Notification,
    Transcoding,
)
from eventsourcing.utils import resolve_topic

from domain.errors import NotFound
from domain.privacy import PERSONAL, PersonalFields, personal_fields_of
from infra.eventstore.personal_data import (
    SEALED,
    DataKeys,
    KeyDestroyed,
    erased,
    key_id_of,
    seal,
    sealed_key_id,
    unseal,
)
from infra.eventstore.port import ConcurrencyConflict, Row
from infra.eventstore.transcoding import OrjsonTranscoder
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext, current_metadata, recording_as

APP_NAME = "mtf"
META_KEY = "_meta"

A = TypeVar("A", bound=Aggregate)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class MetadataMapper(Mapper):
    """Stamps the current command's metadata into each event's stored state, and seals its personal
    fields with the client's data key (personal_data.py); loads open them again, or read them as erased."""

    keys: DataKeys | None = None  # set by the store that owns this mapper

    def to_stored_event(self, domain_event):
        state = vars(domain_event)
        state[META_KEY] = current_metadata()
        personal = PERSONAL.get(type(domain_event))
        taken: dict[str, Any] = {}
        try:
            if personal is not None:
                first = state["originator_version"] == 1
                taken = self.seal_personal(personal, state, state["originator_id"], first=first)
            return super().to_stored_event(domain_event)
        finally:
            state.pop(META_KEY, None)
            if personal is not None:
                state.pop(SEALED, None)
                state.update(taken)

    def to_domain_event(self, stored_event):
        """As the library's, with the personal fields opened before any upcaster sees the state."""
        cls = resolve_topic(stored_event.topic)
        try:
            event_state: dict[str, Any] = self.transcoder.decode(stored_event.state)
        except Exception as error:
            raise MapperDeserialisationError(
                f"Failed to deserialise state of stored event with topic '{stored_event.topic}', originator_id "
                f"'{stored_event.originator_id}' and originator_version {stored_event.originator_version}: {error}"
            ) from error
        self.open_personal(stored_event.topic, stored_event.originator_id, event_state)
        event_state.pop(META_KEY, None)
        event_state["originator_id"] = stored_event.originator_id
        event_state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", event_state)
        return domain_event

    def seal_personal(
        self, personal: PersonalFields, state: dict[str, Any], aggregate_id: UUID, *, first: bool
    ) -> dict[str, Any]:
        """Takes the personal fields out of a state and puts them back sealed, under SEALED, with the key of
        the client they belong to (the aggregate itself, or the client a field names); returns the fields
        taken. `first`: the aggregate's first event, whose new client key is written with it."""
        taken = {name: state.pop(name) for name in personal.fields if name in state}
        on_itself = personal.subject == "originator_id"
        subject = aggregate_id if on_itself else taken[personal.subject]
        key_id, key = self.keys.new_for(subject) if on_itself and first else self.keys.for_subject(subject)
        state[SEALED] = seal(key_id, key, aggregate_id, self.transcoder.encode(taken))
        return taken

    def open_personal(self, topic: str, aggregate_id: UUID, state: dict[str, Any]) -> None:
        """Puts a decoded state's sealed personal fields back in it, or their erased values."""
        token = state.pop(SEALED, None)
        if token is None:
            return
        try:
            state.update(
                self.transcoder.decode(unseal(token, aggregate_id, self.keys.by_id(key_id_of(token))))
            )
        except KeyDestroyed:
            state.update(erased(personal_fields_of(topic)))


class ApplicationStore(Application):
    name = APP_NAME
    # Tells the times of the events it appends. eventsourcing stamps events from the host's clock as
    # they are triggered; under a pinned date that put event times and business dates on different
    # days. None: the host's clock, as it is.
    clock: Clock | None = None

    def construct_mapper(self) -> Mapper:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=MetadataMapper)

    def construct_transcoder(self) -> JSONTranscoder:
        transcoder = OrjsonTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def save_as(self, ctx: CommandContext, *aggregates: Aggregate, alongside: Sequence[Row] = ()) -> int:
        """Appends the aggregates' pending events atomically; returns the last log position.

        `alongside`: rows outside the log (a rendered document, say) that commit with the events."""
        with recording_as(ctx):
            try:
                recordings = self._record(_collected(aggregates, alongside, self.clock))
            except BaseException as error:
                # A failure before the insert (a later event's mapping) leaves this append's new keys behind.
                self.mapper.keys.forget_pending(self.mapper.keys.take_pending())
                if isinstance(error, IntegrityError):
                    raise ConcurrencyConflict(
                        "the aggregate was changed by another command; reload and retry",
                        aggregate_ids=[str(a.id) for a in aggregates],
                    ) from error
                raise
        return max(r.notification.id for r in recordings) if recordings else self.head()

    def load(self, cls: type[A], aggregate_id: UUID, *, what: str) -> A:
        missing = NotFound(f"{what} {aggregate_id} not found", code=f"{what}_not_found", id=str(aggregate_id))
        try:
            aggregate = self.repository.get(aggregate_id, projector_func=replayed)
        except AggregateNotFoundError:
            raise missing from None
        except Exception:
            if self._history_removed(aggregate_id):
                raise missing from None
            raise
        if not isinstance(aggregate, cls):
            raise missing
        return aggregate

    def _history_removed(self, aggregate_id: UUID) -> bool:
        """An erased stream starts at its *Erased event: nothing before it is left to rebuild from."""
        first = self.recorder.select_events(aggregate_id, limit=1)
        return bool(first) and first[0].topic.endswith("Erased")

    def load_many(self, cls: type[A], aggregate_ids: list[UUID]) -> dict[UUID, A]:
        return {i: a for i, a in self.load_any(aggregate_ids).items() if isinstance(a, cls)}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every store of this application keeps its name: eventsourcing names a subclass after
        itself, and names its tables after that."""
        super().__init_subclass__(**kwargs)
        cls.name = APP_NAME

    def load_any(self, aggregate_ids: list[UUID]) -> dict[UUID, Aggregate]:
        """Whatever aggregates these ids hold; absent ids and erased histories are left out."""
        return replayed_streams(
            {
                i: [self.mapper.to_domain_event(s) for s in self.recorder.select_events(i)]
                for i in aggregate_ids
            }
        )

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def refresh(self, aggregate: A) -> A:
        """The aggregate with the events appended to it since it was loaded applied, in place (one query)."""
        return replayed(
            aggregate,
            (
                self.mapper.to_domain_event(s)
                for s in self.recorder.select_events(aggregate.id, gt=aggregate.version)
            ),
        )

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def notifications(self, after: int, limit: int) -> list[Notification]:
        """A page of the log; the data keys its sealed events need are fetched with it, in one query."""
        page = list(self.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False))
        self.mapper.keys.prefetch(key_id for n in page if (key_id := sealed_key_id(n.state)) is not None)
        return page

    def decode_state(self, notification: Notification) -> dict[str, Any]:
        state = self.mapper.transcoder.decode(notification.state)
        self.mapper.open_personal(notification.topic, notification.originator_id, state)
        return state

    @property
    def data_keys(self) -> DataKeys:
        return self.mapper.keys

    def open_sealed(self, topic: str, aggregate_id: UUID, token: str) -> dict[str, Any]:
        """A sealed token's personal fields (log readers that decode states themselves), or their erased values."""
        state = {SEALED: token}
        self.mapper.open_personal(topic, aggregate_id, state)
        return state


def _collected(
    aggregates: Sequence[Aggregate], alongside: Sequence[Row], clock: Clock | None
) -> ProcessingEvent:
    """What `Application.save` collects, without its runtime protocol checks per object (a
    twentieth of a sweep's CPU): here every object is an aggregate. Nothing is snapshotted and no
    follower is notified, so `save`'s other steps have nothing to do.

    With a clock, each event's time (taken from the host's clock as it was triggered) is restamped as
    that clock tells it: under a pinned date, the same time of day on the pinned date."""
    processing = ProcessingEvent()
    for aggregate in aggregates:
        events = aggregate.collect_events()
        if clock is not None:
            for event in events:
                object.__setattr__(
                    event, "timestamp", clock.seen(event.timestamp)
                )  # frozen once triggered; not yet stored
        processing.events.extend(events)
        processing.aggregates[aggregate.id] = aggregate
    if alongside:
        processing.saved_kwargs["alongside"] = alongside  # handed to the recorder's insert_events
    return processing


def replayed_streams(streams: dict[UUID, list[Any]]) -> dict[UUID, Aggregate]:
    """Each stream's aggregate; an erased stream, which starts without its creation event, is left out."""
    loaded = {}
    for aggregate_id, events in streams.items():
        if not events:
            continue
        try:
            loaded[aggregate_id] = replayed(None, events)
        except Exception:
            if not events[0].__class__.__name__.endswith("Erased"):
                raise
    return loaded


def replayed(aggregate: Aggregate | None, events: Iterable[Any]) -> Aggregate | None:
    """The aggregate its events make, as eventsourcing's `project_aggregate` makes it, without that
    function's assertion that every event satisfies a runtime-checkable Protocol. The assertion's
    `isinstance` walks the Protocol's members for every event, several times the cost of the
    replay itself (docs/performance.md, "Measurements behind the code")."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
