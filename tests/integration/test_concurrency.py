"""Optimistic concurrency on the real event store: a conflicting write is refused, never merged."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from commands.clients import RegisterClient, register_client
from domain.contract import Contract
from domain.errors import Conflict
from infra.eventstore.port import ConcurrencyConflict
from infra.eventstore.store import open_event_store
from infra.kernel.command_context import CommandContext
from tests.flows import new_contract

CTX = CommandContext(actor="test", role="operator")


async def test_two_writers_on_one_contract_one_wins_one_gets_409(in_process_system):
    runtime, client = in_process_system
    created = await new_contract(client)
    contract_id = uuid.UUID(created["id"])
    second_store = open_event_store(runtime.settings.database_url)
    try:
        first = runtime.store.load(Contract, contract_id, what="contract")
        second = second_store.load(Contract, contract_id, what="contract")
        first.suspend(on=date.today(), reason="unpaid")
        second.terminate(on=date.today(), reason="moved", early_termination=True)
        runtime.store.save_as(CTX, first)
        with pytest.raises(ConcurrencyConflict) as lost:
            second_store.save_as(CTX, second)
        assert lost.value.code == "concurrency_conflict"
    finally:
        second_store.close()
    reloaded = runtime.store.load(Contract, contract_id, what="contract")
    assert (
        reloaded.status == "suspended" and reloaded.version == 4
    )  # provisioned, activated, document, suspended


async def test_concurrent_registrations_of_one_cin_yield_one_client(in_process_system):
    runtime, _ = in_process_system
    command = RegisterClient(cin="EF 123456", full_name="Y", email="y@z.ma", address="Fès")
    barrier = threading.Barrier(8)

    def attempt(_):
        barrier.wait()
        try:
            return register_client(runtime.store, command, CTX)
        except Conflict as refused:
            return refused.code

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    winners = [o for o in outcomes if not isinstance(o, str)]
    assert len(winners) == 1
    assert sorted(set(o for o in outcomes if isinstance(o, str))) == ["client_already_exists"]
    assert len(runtime.store.recorder.select_events(winners[0].id)) == 1
