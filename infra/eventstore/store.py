"""The event store: the `eventsourcing` library on PostgreSQL.

Its notification log (ids committed in order, under an advisory lock) is the outbox
that the relay tails. Command metadata rides inside each stored event under `_meta`.
"""

from __future__ import annotations

import time
from datetime import date
from functools import lru_cache, wraps
from itertools import accumulate
from typing import Any, Iterable, Iterator, Sequence, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    Mapper,
    Notification,
    OperationalError,
    StoredEvent,
    Transcoding,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.errors import LockNotAvailable
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal
from psycopg_pool import PoolTimeout

from domain.errors import Conflict, NotFound
from infra.eventstore.transcoding import OrjsonTranscoder
from infra.kernel import server_timing
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext, current_metadata, recording_as
from infra.kernel.database import PostgresAddress

SCHEMA = "eventstore"
APP_NAME = "mtf"
INSERT_FUNCTION = "mtf_append_events"  # see OrderedInsertRecorder
APPEND_LOCK = 7_355_610  # the advisory lock every append holds until it commits
EVENTS_TABLE = f"{SCHEMA}.{APP_NAME}_events"  # named by eventsourcing from the application name
META_KEY = "_meta"
# Billing runs are few and looked up often (payments, start-up resumption): their first event is indexed.
RUN_STARTED_TOPIC = "domain.billing_run:BillingRun.BillingRunStarted"

A = TypeVar("A", bound=Aggregate)
Row = tuple[str, Sequence[Any]]  # an INSERT (%s placeholders, no RETURNING) and its parameters, written with an append


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class MetadataMapper(Mapper):
    """Stamps the current command's metadata into each event's stored state."""

    def to_stored_event(self, domain_event):
        vars(domain_event)[META_KEY] = current_metadata()
        try:
            return super().to_stored_event(domain_event)
        finally:
            vars(domain_event).pop(META_KEY, None)

    def to_domain_event(self, stored_event):
        domain_event = super().to_domain_event(stored_event)
        vars(domain_event).pop(META_KEY, None)
        return domain_event


def _once_more_on_a_lost_connection(statement):
    """Sends a statement again, once, when its pooled connection turned out to be dead; every idle
    connection is checked first, since whatever ended one (a restart, a failover) ended them all.

    The library's own decorator tries ten times, each waiting up to the pool's timeout: with
    PostgreSQL away a command hung for minutes (272 s measured) before failing. A pool that has no
    connection to give, or a lock wait that timed out, is not retried: the caller hears 503."""

    @wraps(statement)
    def run(holder: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return statement(holder, *args, **kwargs)
        except (InterfaceError, OperationalError) as error:
            if isinstance(error.__cause__, (PoolTimeout, LockNotAvailable)):
                raise
            holder.datastore.pool.check()
            return statement(holder, *args, **kwargs)

    return run


class OrderedInsertRecorder(PostgresApplicationRecorder):
    """Inserts in one round trip through a database function that serialises appends.

    eventsourcing's own one-round-trip function (POSTGRES_ENABLE_DB_FUNCTIONS) leaves appends
    unserialised. Two commands could then commit out of notification-id order, and a relay that
    had already saved the higher position would never publish the lower one. The function holds
    an advisory lock until its transaction commits, so ids become visible in commit order and the
    log stays a safe outbox.

    The library's default path takes `LOCK TABLE ... IN EXCLUSIVE MODE` instead. That lock also
    conflicts with VACUUM and ANALYZE: every autovacuum of the events table stalled all appends
    until it cancelled itself (after `deadlock_timeout`, a second by default), and an operator's
    manual VACUUM would stall them for its whole length. The advisory lock orders appends and
    nothing else.

    The function takes the columns as array literals and the states as one byte string with each
    state's start and length. psycopg dumps a Python list element by element in Python: 10-12 µs
    per event for the four lists, against 1.4 µs for the literals and the joined states.
    """

    # The library's statements, each sent at most twice rather than its ten times (see below).
    select_events = _once_more_on_a_lost_connection(PostgresApplicationRecorder.select_events.__wrapped__)
    select_notifications = _once_more_on_a_lost_connection(PostgresApplicationRecorder.select_notifications.__wrapped__)
    max_notification_id = _once_more_on_a_lost_connection(PostgresApplicationRecorder.max_notification_id.__wrapped__)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        function = Identifier(INSERT_FUNCTION)
        del self.sql_create_statements[self.create_insert_function_statement_index]  # the library's function, unused
        self.sql_create_statements[:] = map(_created_once, self.sql_create_statements)
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}"
            "(ids uuid[], versions int[], topics text[], states bytea, starts int[], lengths int[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ BEGIN"
            "    SET LOCAL lock_timeout = '{lock_timeout}s';"
            "    PERFORM pg_advisory_xact_lock({append_lock});"
            "    NOTIFY {channel};"
            "    RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            "        SELECT e.id, e.version, e.topic, substring(states FROM e.start FOR e.length)"
            "        FROM unnest(ids, versions, topics, starts, lengths) WITH ORDINALITY AS e(id, version, topic, start, length, n)"
            "        ORDER BY e.n RETURNING notification_id;"
            " END; $BODY$"
        ).format(schema=schema, function=function, table=table, channel=Identifier(self.channel_name),
                 lock_timeout=self.datastore.lock_timeout, append_lock=APPEND_LOCK))
        # Kept as text: psycopg would render a composed query again at every append.
        self._insert = SQL("SELECT * FROM {schema}.{function}(%s::uuid[], %s::int[], %s::text[], %s, %s::int[], %s::int[])").format(
            schema=schema, function=function).as_string()

    @_once_more_on_a_lost_connection
    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, alongside: Sequence[Row] = (), **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        query, params = self._insert, _columns(stored_events)
        if alongside:
            query = _with_inserts(tuple(sql for sql, _ in alongside), query)
            params = (*(p for _, row_params in alongside for p in row_params), *params)
        started = time.perf_counter()
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(query, params, prepare=True)
            ids = [row[0] for row in cursor.fetchall()]
        server_timing.record("append", time.perf_counter() - started)
        return ids


def _created_once(statement: Composable) -> Composable:
    """A CREATE TYPE run only when the type is not there yet.

    PostgreSQL has no CREATE TYPE IF NOT EXISTS; the library sends it anyway and ignores the
    error, which left `ERROR: type "stored_event_uuid" already exists` in the server's log at
    every start but the first, for an operator to wonder about. The DO block still contains the
    words "CREATE TYPE", by which the library sends it in a transaction of its own and ignores a
    duplicate: now that happens only when two processes' first starts race."""
    text = statement.as_string()
    if not text.startswith("CREATE TYPE "):
        return statement
    name = text.removeprefix("CREATE TYPE ").split(" ", 1)[0]
    return SQL("DO $once$ BEGIN IF to_regtype({name}) IS NULL THEN {create}; END IF; END $once$").format(
        name=Literal(name), create=statement)


@lru_cache(maxsize=64)
def _with_inserts(inserts: tuple[str, ...], append: str) -> str:
    """The append, preceded by each INSERT as a data-modifying CTE: one statement, so one round
    trip and one commit, and the rows and the events are written together or not at all."""
    # An unreferenced CTE runs after the main query, so inside the append lock (a 3 KB PDF
    # written while every other append waits). Counting its rows in a one-time filter makes
    # PostgreSQL run it first, before the function takes the lock.
    ctes = ", ".join(f"alongside_{i} AS ({sql} RETURNING 1)" for i, sql in enumerate(inserts))
    written = " + ".join(f"(SELECT count(*) FROM alongside_{i})" for i in range(len(inserts)))
    return f"WITH {ctes} {append} WHERE {written} >= 0"


def _array(values) -> str:
    return "{" + ",".join(values) + "}"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _columns(stored_events: Sequence[StoredEvent]) -> tuple[str, str, str, bytes, str, str]:
    """The insert function's arguments: array literals, and the states end to end."""
    lengths = [len(e.state) for e in stored_events]
    starts = accumulate([1, *lengths[:-1]])
    return (
        _array(str(e.originator_id) for e in stored_events),
        _array(str(e.originator_version) for e in stored_events),
        _array(_quoted(e.topic) for e in stored_events),
        b"".join(e.state for e in stored_events),
        _array(map(str, starts)),
        _array(map(str, lengths)),
    )


class ConcurrencyConflict(Conflict):
    code = "concurrency_conflict"


class EventStore(Application):
    name = APP_NAME
    database_url: str = ""
    # Tells the times of the events it appends. eventsourcing stamps events from the host's clock as
    # they are triggered; under a pinned date that put event times and business dates on different
    # days. None: the host's clock, as it is.
    clock: Clock | None = None

    @property
    def datastore(self):
        """The recorder's PostgreSQL datastore, its pool included."""
        return self.recorder.datastore

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
            except IntegrityError as error:
                raise ConcurrencyConflict(
                    "the aggregate was changed by another command; reload and retry",
                    aggregate_ids=[str(a.id) for a in aggregates],
                ) from error
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
        """Reconstructs many aggregates with one query (the repository reads one stream per query)."""
        return {i: a for i, a in self.load_any(aggregate_ids).items() if isinstance(a, cls)}

    @_once_more_on_a_lost_connection
    def load_any(self, aggregate_ids: list[UUID]) -> dict[UUID, Aggregate]:
        """Whatever aggregates these ids hold, in one query; absent ids and erased histories are left out."""
        if not aggregate_ids:
            return {}
        with self.recorder.datastore.get_connection() as conn:
            rows = conn.execute(
                f"SELECT originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
                "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version",
                (list(aggregate_ids),),
            ).fetchall()
        streams: dict[UUID, list] = {}
        for row in rows:
            stored = StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
            streams.setdefault(row["originator_id"], []).append(self.mapper.to_domain_event(stored))
        loaded = {}
        for aggregate_id, events in streams.items():
            try:
                loaded[aggregate_id] = replayed(None, events)
            except Exception:  # an erased stream starts without its creation event
                if not events[0].__class__.__name__.endswith("Erased"):
                    raise
        return loaded

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def position_of(self, aggregate_id: UUID, version: int = 1) -> int:
        """The log position at which an aggregate reached `version`."""
        with self.recorder.datastore.get_connection() as conn:
            row = conn.execute(
                f"SELECT notification_id FROM {EVENTS_TABLE} WHERE originator_id = %s AND originator_version = %s",
                (aggregate_id, version),
            ).fetchone()
        if row is None:
            raise LookupError(f"{aggregate_id} has no version {version}")
        return row["notification_id"] if isinstance(row, dict) else row[0]

    def scan(self, topics: list[str], up_to: int, batch: int = 5_000) -> Iterator[tuple[UUID, str, bytes]]:
        """(originator id, topic, stored state) of every event with one of `topics`, in log order, up to a position.

        Billing and collections read their input this way: a position pins exactly what they saw."""
        after = 0
        while after < up_to:
            with self.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
                rows = cursor.execute(
                    f"""SELECT notification_id, originator_id, topic, state FROM {EVENTS_TABLE}
                        WHERE notification_id > %s AND notification_id <= %s AND topic = ANY(%s)
                        ORDER BY notification_id LIMIT %s""",
                    (after, up_to, topics, batch),
                ).fetchall()
            if not rows:
                return
            for _, originator_id, topic, state in rows:
                yield originator_id, topic, state
            after = rows[-1][0]

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    @property
    def append_channel(self) -> str:
        """The channel every append NOTIFYs when it commits (see `OrderedInsertRecorder`)."""
        return self.recorder.channel_name

    def notifications(self, after: int, limit: int) -> list[Notification]:
        return list(self.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False))

    def decode_state(self, notification: Notification) -> dict[str, Any]:
        return self.mapper.transcoder.decode(notification.state)


def _collected(aggregates: Sequence[Aggregate], alongside: Sequence[Row], clock: Clock | None) -> ProcessingEvent:
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
                object.__setattr__(event, "timestamp", clock.seen(event.timestamp))  # frozen once triggered; not yet stored
        processing.events.extend(events)
        processing.aggregates[aggregate.id] = aggregate
    if alongside:
        processing.saved_kwargs["alongside"] = alongside  # handed to the recorder's insert_events
    return processing


SCHEMA_LOCK = 7_355_609
CONNECTION_WAIT_S = 3
POOL_SIZE = 20  # connections at most, unless the command threads need more
POOL_BESIDE_COMMANDS = 8  # the relay's reads, billing and start-up work, the default executor's threads


def replayed(aggregate: Aggregate | None, events: Iterable[Any]) -> Aggregate | None:
    """The aggregate its events make, as eventsourcing's `project_aggregate` makes it, without that
    function's assertion that every event satisfies a runtime-checkable Protocol. The assertion's
    `isinstance` walks the Protocol's members for every event: replaying a client's five events
    took 137 µs with it and 22 µs without (microbenchmark), and py-spy put it at 2.9% of a
    gateway worker's CPU per payment."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def open_event_store(database_url: str, clock: Clock | None = None, command_threads: int = 8) -> EventStore:
    """Opens (and on first use creates) the event store; its appends are stamped by `clock`.

    Its pool holds a connection for each command thread and some for the relay, billing and
    start-up work beside them, so that a command never waits for a connection while PostgreSQL is
    up: a wait that long is taken for an outage (503).

    Creation is serialised across processes: gateway, relay and projector start together, and
    concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's type catalog.
    """
    address = PostgresAddress.parse(database_url)
    with psycopg.connect(address.url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            store = _construct(database_url, address, max(POOL_SIZE, command_threads + POOL_BESIDE_COMMANDS))
            store.clock = clock
            # Payments look up which periods were billed; a tiny partial index keeps that off a full scan.
            # Checked first: CREATE INDEX IF NOT EXISTS would still lock the events table at every start-up.
            if not conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.billing_runs_started",)).fetchone()[0]:
                conn.execute(
                    f"CREATE INDEX IF NOT EXISTS billing_runs_started ON {EVENTS_TABLE} (notification_id) "
                    f"WHERE topic = '{RUN_STARTED_TOPIC}'"
                )
            return store
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


def _construct(database_url: str, address: PostgresAddress, connections: int) -> EventStore:
    store = EventStore(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": address.dbname,
            "POSTGRES_HOST": address.host,
            "POSTGRES_PORT": str(address.port),
            "POSTGRES_USER": address.user,
            "POSTGRES_PASSWORD": address.password,
            "POSTGRES_SCHEMA": SCHEMA,
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": str(connections - 10),
            "POSTGRES_LOCK_TIMEOUT": "5",
            # How long a command waits for a pooled connection; the pool has one for every command
            # thread, so a wait means PostgreSQL is away: answer 503 in seconds, not the default 30.
            "POSTGRES_CONNECT_TIMEOUT": str(CONNECTION_WAIT_S),
            "APPLICATION_RECORDER_TOPIC": "infra.eventstore.store:OrderedInsertRecorder",
        }
    )
    store.database_url = database_url
    return store
