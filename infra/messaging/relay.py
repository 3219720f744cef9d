"""The outbox relay: tails the event store's notification log and delivers each event onward.

Position handling is what makes delivery at-least-once: events are sent, the sink confirms
(broker acks, or the projections' transaction commits), and only then is the position saved.
A crash between the two re-sends a batch; consumers drop the duplicates by version.

One relay of a name delivers at a time. Each holds a PostgreSQL session lock for its name on a
connection it keeps (its lease) while it leads; others stand by and try again every
`standby_poll_s`. A leader that dies loses its session and the lock with it, so a standby takes
over within a poll, from the saved position. Positions are saved on the lease, so a relay whose
session is gone cannot save one.

A leader cut off by the network keeps its session (and the lock) for as long as the server's TCP
keepalive takes to notice, which can be hours. So the leader renews `eventstore.relay_lease` on the
lease every `lease_timeout_s / 10`, by the server's clock; a renewal that does not answer within half
the timeout makes it stop leading. A standby that finds the lease older than `lease_timeout_s` ends the
holder's session (`pg_terminate_backend`), which frees the lock: the lead moves within about
`lease_timeout_s + standby_poll_s`. The cut-off leader may still deliver the batch in hand, so
consumers see it twice, as after any relay crash.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol, Sequence

import asyncpg

from infra.eventstore.store import SCHEMA, PostgresEventStore
from infra.kernel import metrics
from infra.kernel.database import advisory_key
from infra.kernel.faults import crash_point
from infra.messaging.personal_topic import personal_records
from infra.storage import dead_letters
from schemas.envelope import CloudEvent
from schemas.envelopes import publishable

log = logging.getLogger(__name__)
LEADER_LOCKS = 7_355_611  # the advisory-lock class relay leadership is held under
# The backends holding a relay's lead on this database (what /ready reports, what an operator would cut).
LEADING_BACKENDS = f"""SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid =
{LEADER_LOCKS}::oid
    AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


class Sink(Protocol):
    async def deliver(self, events: Sequence[CloudEvent]) -> None:
        """Returns only once every event is durably accepted downstream."""


class Relay:
    """Delivers the log in batches, woken by the append's NOTIFY rather than by polling.

    A batch starts at most every `min_interval_s` while events keep coming: downstream (Kafka,
    the projector, their offsets and positions) pays per batch as well as per event, so fewer,
    fuller batches cost less (figures in docs/architecture.md). The first event after a quiet
    spell goes out at once. `idle_poll_s` is only the safety net for a notification lost with its
    connection."""

    def __init__(
        self,
        store: PostgresEventStore,
        pool: asyncpg.Pool,
        sink: Sink,
        *,
        name: str = "kafka",
        batch_size: int = 500,
        idle_poll_s: float = 1.0,
        min_interval_s: float = 0.1,
        standby_poll_s: float = 1.0,
        lease_timeout_s: float = 10.0,
    ) -> None:
        self.store = store
        self.pool = pool
        self.sink = sink
        self.name = name
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self.min_interval_s = min_interval_s
        self.standby_poll_s = standby_poll_s
        self.lease_timeout_s = lease_timeout_s
        self._lease_expired = False
        self._lease_in_use = asyncio.Lock()  # renewals and position saves share the lease's connection
        self.consumer = f"relay:{name}"  # how its dead letters are named
        self._has_parked: bool | None = None  # None: ask the table (only a leading relay parks)
        self.wakeup = asyncio.Event()
        self._saved: int | None = None  # the position this relay last saved; read from the table when unknown
        self._lease: asyncpg.Connection | None = None  # held while this relay leads
        self._ahead: tuple[int, asyncio.Future] | None = None  # the next batch, being read during a delivery

    async def position(self) -> int:
        async with self.pool.acquire() as conn:
            value = await conn.fetchval(
                f"SELECT position FROM {SCHEMA}.relay_position WHERE relay = $1", self.name
            )
        return value or 0

    async def relay_once(self) -> int:
        """Delivers the next batch after the saved position; returns how many events it sent."""
        if self._saved is None:
            self._saved = await self.position()
        start = self._saved
        notifications, converted, failed = await self._batch_after(start)
        if not notifications:
            return 0
        if (
            len(notifications) == self.batch_size
        ):  # more is waiting, likely: read it while this batch goes out
            self._read_ahead(notifications[-1].id)
        events, held = await self._holding_back(converted, failed)
        crash_point("relay.before_publish")
        if events:
            await self.sink.deliver(events)
            await self._deliver_personal(events)
            metrics.relayed.add(len(events))
        if failed or held:
            await self._park(failed, held)
        crash_point("relay.after_publish")
        await self._save_position(notifications[-1].id)
        return len(notifications)

    async def _batch_after(self, start: int) -> tuple[list, list, list]:
        """The batch after `start`: the one read ahead if it starts there (the log before a committed
        position never changes), else read now."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            after, reading = ahead
            if after == start:
                return await reading
            reading.add_done_callback(_ignore_outcome)  # read ahead of a batch that failed: not needed
        return await asyncio.to_thread(self._next_batch, start)

    def _read_ahead(self, after: int) -> None:
        self._ahead = (after, asyncio.ensure_future(asyncio.to_thread(self._next_batch, after)))

    def _next_batch(self, start: int) -> tuple[list, list, list]:
        """The stored events after `start`, and their CloudEvents (personal fields are opened with the key
        store, then masked, hence on this thread rather than the loop)."""
        notifications = self.store.notifications(start, self.batch_size)
        if not notifications:
            return [], [], []
        return notifications, *publishable(notifications, self.store.decode_state)

    async def _deliver_personal(self, events: Sequence[CloudEvent]) -> None:
        """The personal-data topic's records for this batch, to a sink that keeps that topic (Kafka's)."""
        deliver = getattr(self.sink, "deliver_personal", None)
        if deliver is not None and any(e.aggregatetype == "client" for e in events):
            records = await asyncio.to_thread(personal_records, self.store, events)
            if records:
                await deliver(records)

    async def _holding_back(self, converted, failed) -> tuple[list[CloudEvent], list]:
        """The events to deliver, and those held behind a parked event of their aggregate (in this batch or
        before), so that no consumer gets an aggregate's later events before an earlier one."""
        if self._has_parked is None:
            async with self.pool.acquire() as conn:
                self._has_parked = await dead_letters.any_parked(conn, self.consumer)
        if not failed and not self._has_parked:
            return [event for _, event in converted], []
        async with self.pool.acquire() as conn:
            blocked = await dead_letters.blocked(conn, self.consumer, [n.originator_id for n, _ in converted])
        first_failed = {}
        for n, _ in failed:
            first_failed.setdefault(n.originator_id, n.id)
        events, held = [], []
        for n, event in converted:
            if n.originator_id in blocked or first_failed.get(n.originator_id, n.id + 1) < n.id:
                held.append(n)
            else:
                events.append(event)
        return events, held

    async def _park(self, failed, held) -> None:
        """Parks what cannot be delivered, before the position moves past it (a crash in between parks
        it again, once), and announces it on the dead-letter topic when the sink has one."""
        async with self.pool.acquire() as conn:
            for n, error in failed:
                log.error(
                    "relay %s: stored event %d (%s) parked: %s", self.name, n.id, n.topic, _brief(error)
                )
                await dead_letters.park_stored(conn, self.consumer, n, _brief(error), held=False)
            for n in held:
                reason = f"held behind an earlier parked event of {n.originator_id}"
                await dead_letters.park_stored(conn, self.consumer, n, reason, held=True)
        self._has_parked = True
        announce = getattr(self.sink, "announce_parked", None)
        if announce is not None:
            notices = [(n, _brief(e), False) for n, e in failed] + [(n, "held", True) for n in held]
            await announce(self.consumer, notices)

    async def redeliver_parked(self) -> list[int]:
        """Delivers the parked events of each aggregate, in order, whose first one now makes its CloudEvent
        (after a fix); returns the ids delivered. Run when a relay starts leading."""
        async with self.pool.acquire() as conn:
            rows = await dead_letters.parked(conn, self.consumer)
        by_aggregate: dict = {}
        for row in rows:
            by_aggregate.setdefault(row["aggregate_id"], []).append(row)
        delivered: list[int] = []
        for pending in by_aggregate.values():
            notifications = []
            for row in pending:
                notifications += await asyncio.to_thread(self.store.notifications, row["position"] - 1, 1)
            converted, failed = publishable(notifications, self.store.decode_state)
            if failed:
                continue  # still failing: it stays parked, and so do the events behind it
            if converted:
                await self.sink.deliver([event for _, event in converted])
            ids = [row["id"] for row in pending]
            async with self.pool.acquire() as conn:
                await dead_letters.resolve(conn, ids, "retried", self.consumer)
            log.info(
                "relay %s: delivered %d parked events of %s", self.name, len(ids), pending[0]["aggregate_id"]
            )
            delivered += ids
        self._has_parked = None
        return delivered

    async def run(self, stop: asyncio.Event) -> None:
        """Stands by until this relay leads, delivers while it does, and stands by again if it loses the lease."""
        while not stop.is_set():
            if not await self._lead(stop):
                return
            try:
                await self._deliver_while_leading(stop)
                if not stop.is_set():
                    log.warning(
                        "relay %s: lost the lead (its database session ended); trying for it again", self.name
                    )
            except Exception:  # never end quietly: a relay task that died would leave the process up and idle
                log.exception("relay %s: delivery stopped; trying for the lead again", self.name)
                await _sleep_until(asyncio.get_running_loop().time() + self.standby_poll_s, stop)
            finally:
                await self._resign()

    async def _lead(self, stop: asyncio.Event) -> bool:
        """Waits until this relay holds its name's leader lock; False if stopped first."""
        standing_by, failures = False, 0
        while not stop.is_set():
            try:
                if await self._try_lead():
                    log.info("relay %s: leading", self.name)
                    return True
                if not standing_by:
                    log.info("relay %s: another process leads; standing by", self.name)
                    standing_by = True
            except Exception as error:  # the database is away: keep trying, as delivery does
                failures += 1
                log.warning(
                    "relay %s: could not try for the lead (%s); trying again",
                    self.name,
                    _brief(error),
                    exc_info=failures == 1,
                )  # a traceback for the first failure, not one a second
            await _sleep_until(asyncio.get_running_loop().time() + self.standby_poll_s, stop)
        return False

    async def _try_lead(self) -> bool:
        """Takes the lock on a pooled connection that is then kept as the lease."""
        conn = await self.pool.acquire()
        try:
            key = advisory_key(self.name)
            led = await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", LEADER_LOCKS, key)
            if not led and await conn.fetchval(
                END_STALE_LEADER, self.name, self.lease_timeout_s, LEADER_LOCKS, key
            ):
                log.warning(
                    "relay %s: the leader's lease was not renewed for %.0f s; its session was ended",
                    self.name,
                    self.lease_timeout_s,
                )
            if led:
                await conn.execute(TAKE_LEASE, self.name)
        except BaseException:
            await self.pool.release(conn)
            raise
        if not led:
            await self.pool.release(conn)
            return False
        self._lease, self._saved, self._lease_expired = conn, None, False  # the last leader may have moved on
        return True

    async def _resign(self) -> None:
        """Gives the lease back to the pool, whose reset on release unlocks every advisory lock it holds.
        A lease whose connection was lost held nothing by then, and the pool has taken it back already.
        An expired lease may sit on a connection the network cut: it is closed at once, not reset."""
        lease, self._lease = self._lease, None
        if lease is not None:
            try:
                if self._lease_expired:
                    lease.terminate()
                await self.pool.release(lease, timeout=1)
            except (asyncpg.InterfaceError, asyncio.TimeoutError):
                pass

    def _leading(self) -> bool:
        return self._lease is not None and not self._lease_expired and not _lost(self._lease)

    async def _renew(self, stop: asyncio.Event) -> None:
        """Renews the lease while leading; a renewal that does not answer in half the timeout ends the lead
        (the network may have cut this process off: a standby will take over once the lease is old)."""
        while not stop.is_set() and self._leading():
            try:
                await asyncio.wait_for(self._on_lease(RENEW_LEASE, self.name), self.lease_timeout_s / 2)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - any failure to renew means the lead cannot be trusted
                log.warning(
                    "relay %s: could not renew its lease (%s); stepping down", self.name, _brief(error)
                )
                self._lease_expired = True
                self._lease.terminate()  # a save stuck on the cut connection fails now, not in minutes
                self.wakeup.set()
                return
            await _sleep_until(asyncio.get_running_loop().time() + self.lease_timeout_s / 10, stop)

    async def _deliver_while_leading(self, stop: asyncio.Event) -> None:
        listener = asyncio.create_task(self._listen(stop), name="relay listener")
        renewer = asyncio.create_task(self._renew(stop), name="relay lease")
        try:
            await self.redeliver_parked()
        except Exception as error:  # noqa: BLE001 - the batches still go; the next lead tries again
            log.warning("relay %s: could not deliver its parked events (%s)", self.name, _brief(error))
        loop = asyncio.get_running_loop()
        failures = 0
        try:
            while not stop.is_set() and self._leading():
                started = loop.time()
                self.wakeup.clear()  # before the read: a commit after it wakes the next batch
                try:
                    sent = await self.relay_once()
                    failures = 0
                except Exception as error:
                    failures += 1  # the traceback once; then a line per failure, until a batch goes through
                    log.warning(
                        "relay batch failed (%s: %s); retrying from the saved position",
                        type(error).__name__,
                        error,
                        exc_info=failures == 1,
                    )
                    self._saved = None
                    sent = 0
                    await asyncio.sleep(1.0)
                if sent < self.batch_size:
                    await self._idle(stop)
                    await _sleep_until(started + self.min_interval_s, stop)
        finally:
            listener.cancel()
            renewer.cancel()
            await asyncio.gather(listener, renewer, return_exceptions=True)

    async def _idle(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.create_task(self.wakeup.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait(waiters, timeout=self.idle_poll_s, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def _listen(self, stop: asyncio.Event) -> None:
        """Holds a connection that LISTENs to the append channel; reconnects when it is lost."""
        channel = self.store.append_channel
        failures = 0
        while not stop.is_set():
            try:
                async with self.pool.acquire() as conn:
                    await conn.add_listener(channel, self._notified)
                    self.wakeup.set()  # a commit while nobody listened would otherwise wait for the poll
                    failures = 0
                    try:
                        while not _lost(conn) and not stop.is_set():
                            await _sleep_until(asyncio.get_running_loop().time() + self.idle_poll_s, stop)
                    finally:
                        if not _lost(conn):
                            await conn.remove_listener(channel, self._notified)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # A cancel that surfaced as another error (a `finally` that failed on the lost connection)
                # must still end this task: the relay waits for it before it tries for the lead again.
                if asyncio.current_task().cancelling():
                    raise asyncio.CancelledError
                failures += 1
                log.warning(
                    "relay lost its LISTEN connection (%s); polling every %.1f s until it is back",
                    _brief(error),
                    self.idle_poll_s,
                    exc_info=failures == 1,
                )
                await _sleep_until(asyncio.get_running_loop().time() + 1.0, stop)

    def _notified(self, *_: object) -> None:
        self.wakeup.set()

    async def _on_lease(self, statement: str, *args: object) -> None:
        async with self._lease_in_use:
            await self._lease.execute(statement, *args)

    async def _save_position(self, position: int) -> None:
        if self._lease is not None:  # on the lease: a relay that lost its session cannot save
            await self._on_lease(SAVE_POSITION, self.name, position)
        else:  # relay_once called on its own (tools and tests that relay by hand)
            async with self.pool.acquire() as conn:
                await conn.execute(SAVE_POSITION, self.name, position)
        self._saved = position


def _ignore_outcome(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


def _brief(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _lost(conn: asyncpg.Connection) -> bool:
    """Whether a pooled connection's session is gone. Once the pool has taken back a connection it
    lost, every call on it, `is_closed()` included, raises InterfaceError."""
    try:
        return conn.is_closed()
    except asyncpg.InterfaceError:
        return True


TAKE_LEASE = f"""INSERT INTO {SCHEMA}.relay_lease (relay, holder_pid, renewed_at)
    VALUES ($1, pg_backend_pid(), now())
    ON CONFLICT (relay) DO UPDATE SET holder_pid = EXCLUDED.holder_pid, renewed_at = EXCLUDED.renewed_at"""
RENEW_LEASE = f"""UPDATE {SCHEMA}.relay_lease SET renewed_at = now()
    WHERE relay = $1 AND holder_pid = pg_backend_pid()"""
# Ends the session holding the relay's lock if its lease is older than the timeout. The pid is checked
# against the lock's holder, so a pid the server has since given to another session is never ended.
END_STALE_LEADER = f"""SELECT coalesce(bool_or(pg_terminate_backend(l.pid)), false)
    FROM {SCHEMA}.relay_lease r
    JOIN pg_locks l ON l.pid = r.holder_pid AND l.locktype = 'advisory' AND l.granted
        AND l.classid = $3::int::oid AND l.objid = $4::int::oid AND l.objsubid = 2
    WHERE r.relay = $1 AND r.renewed_at < now() - make_interval(secs => $2)"""
SAVE_POSITION = f"""INSERT INTO {SCHEMA}.relay_position (relay, position) VALUES ($1, $2)
    ON CONFLICT (relay) DO UPDATE SET position = EXCLUDED.position"""


async def _sleep_until(deadline: float, stop: asyncio.Event) -> None:
    """Sleeps until the loop's clock reaches `deadline`, or until `stop` is set."""
    delay = deadline - asyncio.get_running_loop().time()
    if delay > 0 and not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except asyncio.TimeoutError:
            pass
