"""Numbers allocated concurrently are never handed out twice."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from random import Random

import psycopg
import pytest

from commands.numbers import default_draw, reserve_number
from infra.command_context import CommandContext
from infra.event_store import APP_NAME, SCHEMA, open_event_store
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
