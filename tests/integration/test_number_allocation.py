"""Numbers allocated concurrently are never handed out twice."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from random import Random

import psycopg
import pytest

from commands.numbers import default_draw, reserve_number
from infra.eventstore.store import APP_NAME, SCHEMA, open_event_store
from infra.kernel.command_context import CommandContext
from tests.support import fresh_settings

CTX = CommandContext(actor="test", role="operator")


def _allocate_concurrently(store, count: int, threads: int, draw) -> list[str]:
    def allocate(_: int) -> str:
        return reserve_number(store, "mobile", uuid.uuid4(), CTX, draw)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(allocate, range(count)))


def _reservations_in_store(store) -> int:
    with psycopg.connect(store.database_url) as conn:
        return conn.execute(
            f"SELECT count(DISTINCT originator_id) FROM {SCHEMA}.{APP_NAME}_events WHERE topic LIKE %s",
            ("%NumberReservation.NumberReserved",),
        ).fetchone()[0]


@pytest.fixture
def store():
    event_store = open_event_store(fresh_settings(kafka=False).database_url)
    yield event_store
    event_store.close()


def test_thousands_of_concurrent_allocations_in_a_crowded_space_never_collide(store):
    lock = threading.Lock()
    rng = Random(7)

    def crowded(kind: str) -> str:  # 3,000 possible numbers for 2,000 allocations: constant collisions
        with lock:
            return f"+2126{rng.randrange(3000):08d}"

    numbers = _allocate_concurrently(store, 2000, 8, crowded)
    assert len(numbers) == len(set(numbers)) == 2000
    assert _reservations_in_store(store) == 2000


def test_thousands_of_concurrent_random_allocations_are_unique_and_valid(store):
    numbers = _allocate_concurrently(store, 3000, 8, default_draw)
    assert len(set(numbers)) == 3000
    assert all(n.startswith(("+2126", "+2127")) and len(n) == 13 for n in numbers)


async def test_a_new_line_takes_the_number_drawn_with_its_parties_unless_a_reservation_holds_it(monkeypatch):
    """Provisioning draws a number per kind before reading its parties, in the same query. A drawn
    number that is already reserved must not be reused: the line gets another one."""
    from domain.contract import Contract
    from tests.billing_flows import billing_system, contract, customer, offer

    queue = ["+212612345678", "+212512345678", "+212612345678", "+212512345678"]
    monkeypatch.setattr("commands.contracts.default_draw", lambda kind: queue.pop(0))
    async with billing_system() as (runtime, client):
        mobile = await offer(client, "99.00")
        first = await contract(client, await customer(client), mobile)
        second = await contract(client, await customer(client), mobile, new_line=True)
        numbers = [
            runtime.store.load(Contract, uuid.UUID(c), what="contract").number for c in (first, second)
        ]
    assert numbers[0] == "+212612345678"
    assert numbers[1] != "+212612345678" and numbers[1].startswith(("+2126", "+2127"))
    assert queue == []
