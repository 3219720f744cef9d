"""The event store's pool has a connection for every command thread, with room beside them: a
command that waits for a connection is taken for a database outage and answered 503 after
`CONNECTION_WAIT_S`, so it must never wait while PostgreSQL is up."""

from __future__ import annotations

import pytest

from infra.eventstore.store import POOL_BESIDE_COMMANDS
from infra.runtime.assembly import running
from tests.support import fresh_settings


@pytest.mark.parametrize(("threads", "connections"), [(8, 20), (32, 32 + POOL_BESIDE_COMMANDS)])
async def test_the_pool_has_a_connection_for_every_command_thread(threads: int, connections: int):
    async with running(
        fresh_settings(kafka=False, command_threads=threads), relay=False, projector=False
    ) as runtime:
        assert runtime.commands._max_workers == threads
        assert runtime.store.recorder.datastore.pool.max_size == connections
