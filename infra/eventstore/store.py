"""The event store the system runs on: the `eventsourcing` application (application.py) on PostgreSQL.

Its notification log (ids committed in order, under an advisory lock) is the outbox that the relay
tails. Command handlers see it through the port (port.py); the reads that need SQL are here.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from functools import lru_cache, wraps
from itertools import accumulate
from typing import Any, Iterator, Sequence
from uuid import UUID

import orjson
import psycopg
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.utils import get_topic
from psycopg.errors import LockNotAvailable
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal
from psycopg_pool import PoolTimeout

from domain.billing_run import BillingRun
from infra.eventstore.application import APP_NAME, ApplicationStore, replayed_streams
from infra.eventstore.personal_data import CREATE_KEYS_TABLE, MasterKey, PostgresDataKeys
from infra.eventstore.port import Row
from infra.kernel import server_timing
from infra.kernel.clock import Clock
from infra.kernel.database import PostgresAddress

SCHEMA = "eventstore"
INSERT_FUNCTION = "mtf_append_events"  # see OrderedInsertRecorder
APPEND_LOCK = 7_355_610  # the advisory lock every append holds until it commits
EVENTS_TABLE = f"{SCHEMA}.{APP_NAME}_events"  # named by eventsourcing from the application name
# Billing runs are few and looked up often (payments, start-up resumption): their first event is indexed.
RUN_STARTED_TOPIC = get_topic(BillingRun.BillingRunStarted)


def _once_more_on_a_lost_connection(statement):
    """Sends a statement again, once, when its pooled connection turned out to be dead; every idle
    connection is checked first, since whatever ended one (a restart, a failover) ended them all.

    The library's own decorator tries ten times, each waiting up to the pool's timeout: with
    PostgreSQL away a command hung for minutes before failing. A pool that has no
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
    state's start and length: psycopg dumps a Python list element by element in Python, several
    times slower (docs/performance.md, "Measurements behind the code").
    """

    # The library's statements, each sent at most twice rather than its ten times (see below).
    select_events = _once_more_on_a_lost_connection(PostgresApplicationRecorder.select_events.__wrapped__)
    select_notifications = _once_more_on_a_lost_connection(
        PostgresApplicationRecorder.select_notifications.__wrapped__
    )
    max_notification_id = _once_more_on_a_lost_connection(
        PostgresApplicationRecorder.max_notification_id.__wrapped__
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        function = Identifier(INSERT_FUNCTION)
        # the library's function, unused
        del self.sql_create_statements[self.create_insert_function_statement_index]
        self.sql_create_statements[:] = map(_created_once, self.sql_create_statements)
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}"
                "(ids uuid[], versions int[], topics text[], states bytea, starts int[], lengths int[]) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ BEGIN"
                "    SET LOCAL lock_timeout = '{lock_timeout}s';"
                "    PERFORM pg_advisory_xact_lock({append_lock});"
                "    NOTIFY {channel};"
                "    RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
                "        SELECT e.id, e.version, e.topic, substring(states FROM e.start FOR e.length)"
                "        FROM unnest(ids, versions, topics, starts, lengths) WITH ORDINALITY AS e(id, "
                "version, topic, start, length, n)"
                "        ORDER BY e.n RETURNING notification_id;"
                " END; $BODY$"
            ).format(
                schema=schema,
                function=function,
                table=table,
                channel=Identifier(self.channel_name),
                lock_timeout=self.datastore.lock_timeout,
                append_lock=APPEND_LOCK,
            )
        )
        # Kept as text: psycopg would render a composed query again at every append.
        self._insert = (
            SQL(
                "SELECT * FROM {schema}.{function}(%s::uuid[], %s::int[], %s::text[], %s, %s::int[], %s::int[])"
            )
            .format(schema=schema, function=function)
            .as_string()
        )

    keys: Any = None  # the data keys: new clients' keys are written with their first events

    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, alongside: Sequence[Row] = (), **kwargs: Any
    ) -> Sequence[int] | None:
        new_keys = self.keys.take_pending() if self.keys is not None else []
        try:
            return self._insert_events(stored_events, alongside=(*new_keys, *alongside), **kwargs)
        except BaseException:
            if new_keys:
                self.keys.forget_pending(new_keys)
            raise

    @_once_more_on_a_lost_connection
    def _insert_events(
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
        name=Literal(name), create=statement
    )


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


class PostgresEventStore(ApplicationStore):
    database_url: str = ""

    @property
    def datastore(self):
        """The recorder's PostgreSQL datastore, its pool included."""
        return self.recorder.datastore

    def save_rows(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.recorder.datastore.get_connection() as conn:
            with conn.cursor() as cursor:
                cursor.executemany(statement, rows)
            conn.commit()

    @_once_more_on_a_lost_connection
    def load_any(self, aggregate_ids: list[UUID]) -> dict[UUID, Aggregate]:
        """As the base does, in one query (the base reads one stream per query)."""
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
            stored = StoredEvent(
                row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
            )
            streams.setdefault(row["originator_id"], []).append(self.mapper.to_domain_event(stored))
        return replayed_streams(streams)

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

    def scan(self, topics: list[str], up_to: int, span: int = 50_000) -> Iterator[tuple[UUID, str, bytes]]:
        """(originator id, topic, stored state) of every event with one of `topics`, in log order, up to a position.

        Billing and collections read their input this way: a position pins exactly what they saw. Each query
        covers a span of positions, not a number of rows: a row LIMIT let the planner, with statistics not
        yet current after a bulk load, sort every remaining match for each batch (quadratic in the log)."""
        for after in range(0, up_to, span):
            with (
                self.recorder.datastore.get_connection() as conn,
                conn.cursor(row_factory=tuple_row) as cursor,
            ):
                rows = cursor.execute(
                    f"""SELECT originator_id, topic, state FROM {EVENTS_TABLE}
                        WHERE notification_id > %s AND notification_id <= %s AND topic = ANY(%s)
                        ORDER BY notification_id""",
                    (after, min(after + span, up_to), topics),
                ).fetchall()
            yield from rows

    def history_of(
        self, aggregate_ids: list[UUID], topics: list[str], up_to: int
    ) -> Iterator[tuple[UUID, str, bytes]]:
        """Found by the primary key (originator id, version), so a block's read costs its own events only."""
        with self.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            rows = cursor.execute(
                f"""SELECT originator_id, topic, state FROM {EVENTS_TABLE}
                    WHERE originator_id = ANY(%s) AND topic = ANY(%s) AND notification_id <= %s
                    ORDER BY notification_id""",
                (aggregate_ids, topics, up_to),
            ).fetchall()
        return iter(rows)

    def states_of(self, topic: str) -> list[bytes]:
        with self.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            rows = cursor.execute(
                f"SELECT state FROM {EVENTS_TABLE} WHERE topic = %s ORDER BY notification_id", (topic,)
            ).fetchall()
        return [bytes(state) for (state,) in rows]

    def unfinished(self, started: str, finished: str) -> list[UUID]:
        with self.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            rows = cursor.execute(
                f"""SELECT started.originator_id FROM {EVENTS_TABLE} started
                    WHERE started.topic = %s AND NOT EXISTS (
                        SELECT 1 FROM {EVENTS_TABLE} done
                        WHERE done.originator_id = started.originator_id AND done.topic = %s)""",
                (started, finished),
            ).fetchall()
        return [originator_id for (originator_id,) in rows]

    @contextmanager
    def exclusive(self, key: UUID, wait: bool = False) -> Iterator[bool]:
        """A session advisory lock on its own connection, so it dies with a crashed holder."""
        lock = key.int % (2**63)
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            if wait:
                conn.execute("SELECT pg_advisory_lock(%s)", (lock,))
                mine = True
            else:
                mine = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock,)).fetchone()[0]
            try:
                yield mine
            finally:
                if mine:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (lock,))

    @property
    def append_channel(self) -> str:
        """The channel every append NOTIFYs when it commits (see `OrderedInsertRecorder`)."""
        return self.recorder.channel_name


SCHEMA_LOCK = 7_355_609
CONNECTION_WAIT_S = 3
POOL_SIZE = 20  # connections at most, unless the command threads need more
POOL_BESIDE_COMMANDS = 8  # the relay's reads, billing and start-up work, the default executor's threads


def open_event_store(
    database_url: str, clock: Clock | None = None, command_threads: int = 8, master_key: str | None = None
) -> PostgresEventStore:
    """Opens (and on first use creates) the event store; its appends are stamped by `clock`.

    Its pool holds a connection for each command thread and some for the relay, billing and
    start-up work beside them, so that a command never waits for a connection while PostgreSQL is
    up: a wait that long is taken for an outage (503). `master_key` wraps the clients' data keys
    (personal_data.py); None: the development key.

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
            conn.execute(CREATE_KEYS_TABLE)
            store.mapper.keys = PostgresDataKeys(
                store.datastore.get_connection, MasterKey.from_text(master_key)
            )
            store.recorder.keys = store.mapper.keys  # new clients' keys go in with their first events
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


class ConnectionParamsFactory(PostgresFactory):
    """eventsourcing's PostgreSQL factory, which knows only host, port, user, password and database: the
    URL's other parameters (sslmode, sslrootcert, target_session_attrs...) go to every pooled connection."""

    def __init__(self, env) -> None:
        super().__init__(env)
        self.datastore.pool.kwargs.update(orjson.loads(self.env.get("MTF_POSTGRES_PARAMS") or "{}"))


def _construct(database_url: str, address: PostgresAddress, connections: int) -> PostgresEventStore:
    store = PostgresEventStore(
        env={
            "PERSISTENCE_MODULE": "infra.eventstore.store:ConnectionParamsFactory",
            "MTF_POSTGRES_PARAMS": orjson.dumps(dict(address.params)).decode(),
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
