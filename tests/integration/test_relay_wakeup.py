"""The relay is woken by the append's NOTIFY, and paces its batches while events keep coming.

Its fallback poll is set to a minute here: anything delivered within seconds was delivered
because a notification woke the relay."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

from commands.clients import RegisterClient, register_client
from infra.kernel.command_context import CommandContext
from infra.messaging.relay import Relay
from infra.runtime.assembly import running
from tests.support import fresh_settings

CTX = CommandContext(actor="test", role="operator")
NEVER = 60.0


class RecordingSink:
    """Keeps each batch's delivery time and size; `on_first` runs inside the first delivery."""

    def __init__(self, takes: float = 0.0) -> None:
        self.takes = takes  # how long a delivery takes
        self.positions: list[int] = []
        self.deliveries: list[tuple[float, float]] = []
        self.batches: list[tuple[float, int]] = []
        self.on_first = None
        self.store = None  # the relay's store, set by `relaying`

    async def deliver(self, events) -> None:
        began = time.monotonic()
        self.batches.append((began, len(events)))
        self.positions += [e.position for e in events]
        await asyncio.sleep(self.takes)
        self.deliveries.append((began, time.monotonic()))
        if self.on_first and len(self.batches) == 1:
            await self.on_first()

    def delivered(self) -> int:
        return sum(size for _, size in self.batches)


def _register(store, n: int) -> None:
    register_client(
        store, RegisterClient(cin=f"WK{100000 + n}", full_name="A", email="a@b.ma", address="x"), CTX
    )


async def _until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the relay did not deliver in time"
        await asyncio.sleep(0.01)


@asynccontextmanager
async def relaying(
    sink: RecordingSink, *, min_interval_s: float, before=None, batch_size: int = 500, watch=None
):
    """A relay on a fresh store, polling only once a minute; `before(store)` runs before it starts."""
    async with running(fresh_settings(kafka=False), relay=False, projector=False) as runtime:
        if before:
            await asyncio.to_thread(before, runtime.store)
        sink.store = runtime.store
        relay = Relay(
            runtime.store,
            runtime.pool,
            sink,
            name="wakeup-test",
            idle_poll_s=NEVER,
            min_interval_s=min_interval_s,
            batch_size=batch_size,
        )
        if watch:
            watch(relay)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        try:
            yield relay
        finally:
            stop.set()
            await task


async def test_an_append_wakes_the_idle_relay():
    sink = RecordingSink()
    async with relaying(sink, min_interval_s=0) as relay:
        await asyncio.sleep(0.5)  # the relay has read the empty log and is waiting
        assert sink.delivered() == 0
        await asyncio.to_thread(_register, relay.store, 1)
        await _until(lambda: sink.delivered() >= 1, timeout=5)


async def test_an_append_committed_during_a_batch_is_not_missed():
    """The wake-up is cleared before the log is read, so a commit while a batch is out wakes the next one."""
    sink = RecordingSink()
    sink.on_first = lambda: asyncio.to_thread(_register, sink.store, 2)
    async with relaying(sink, min_interval_s=0, before=lambda store: _register(store, 1)):
        await _until(lambda: sink.delivered() >= 2, timeout=5)


async def test_batches_are_paced_while_events_keep_coming():
    sink = RecordingSink()
    reads: list[float] = []
    async with relaying(sink, min_interval_s=0.3) as relay:
        read = relay.relay_once

        async def timed_read() -> int:
            reads.append(time.monotonic())
            return await read()

        relay.relay_once = timed_read
        for n in range(12):
            await asyncio.to_thread(_register, relay.store, n)
            await asyncio.sleep(0.05)
        await _until(lambda: sink.delivered() >= 12)
    gaps = [later - earlier for earlier, later in zip(reads, reads[1:])]
    assert gaps and min(gaps) >= 0.29, gaps
    assert len(sink.batches) < 12, "events arriving faster than the interval share batches"


async def test_the_next_batch_is_read_while_one_is_delivered_and_nothing_is_sent_twice():
    sink = RecordingSink(takes=0.2)
    reads: list[tuple[float, int]] = []

    def backlog(store) -> None:
        for n in range(12):
            _register(store, n)

    def watch(relay) -> None:
        next_batch = relay._next_batch

        def timed(start: int):
            reads.append((time.monotonic(), start))
            return next_batch(start)

        relay._next_batch = timed

    async with relaying(sink, min_interval_s=0, before=backlog, batch_size=5, watch=watch) as relay:
        logged = await asyncio.to_thread(relay.store.head)
        await _until(lambda: relay._saved == logged, timeout=20)
    assert sink.positions == sorted(set(sink.positions))  # in log order, each once
    assert [start for _, start in reads] == sorted({start for _, start in reads})  # no batch read twice
    assert any(began < at < ended for at, _ in reads for began, ended in sink.deliveries), "no read ahead"
