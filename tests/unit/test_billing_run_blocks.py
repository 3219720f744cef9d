"""A billing run's blocks: each issued once, in any order, and runs recorded before blocks still load."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from domain.billing import Totals
from domain.billing_run import BLOCK_SIZE_BEFORE_V2, BillingRun
from domain.errors import Conflict, InvalidTransition
from infra.eventstore.memory import InMemoryEventStore
from infra.kernel.command_context import CommandContext, recording_as

CTX = CommandContext(actor="staff:amina", role="operator")
NONE = Totals(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


def _run(clients_total: int = 5, block_size: int = 2) -> BillingRun:
    return BillingRun(
        period="2026-10",
        billed_position=42,
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 11, 22),
        vat_rate=Decimal("0.20"),
        clients_total=clients_total,
        block_size=block_size,
    )


def test_blocks_are_issued_once_each_in_any_order_and_the_run_adds_them_up():
    run = _run()
    assert list(run.blocks()) == [0, 2, 4] and run.block_clients(4) == slice(4, 5)
    run.record_block(4, 1, Totals(Decimal("10.00"), Decimal("2.00"), Decimal("12.00")))
    run.record_block(0, 2, Totals(Decimal("20.00"), Decimal("4.00"), Decimal("24.00")))
    assert run.pending_blocks() == [2]
    with pytest.raises(InvalidTransition) as early:
        run.finish_issuing()
    assert early.value.code == "billing_blocks_pending"
    with pytest.raises(Conflict) as again:
        run.record_block(4, 1, NONE)
    assert again.value.code == "billing_block_already_issued"
    with pytest.raises(InvalidTransition) as unknown:
        run.record_block(3, 1, NONE)
    assert unknown.value.code == "billing_block_unknown"
    run.record_block(2, 0, NONE)
    run.finish_issuing()
    assert (run.status, run.clients_done, run.invoices_issued, run.gross) == (
        "issued",
        5,
        3,
        Decimal("36.00"),
    )


def test_a_run_recorded_before_blocks_loads_with_the_old_size_and_goes_on_after_its_billed_clients():
    """A v1 BillingRunStarted (no block_size) and a BillingRunProgressed, as the one-worker runs wrote them."""
    store = InMemoryEventStore()
    run = _run(clients_total=2_500, block_size=7)
    run._progressed(
        clients_done=1_000,
        invoices_issued=990,
        net=Decimal("1.00"),
        tax=Decimal("0.20"),
        gross=Decimal("1.20"),
    )
    with recording_as(CTX):
        stored = [store.mapper.to_stored_event(e) for e in run.collect_events()]
    started = orjson.loads(stored[0].state)
    del started["block_size"], started["class_version"]
    stored[0] = StoredEvent(run.id, 1, stored[0].topic, orjson.dumps(started))
    store.recorder.insert_events(stored)

    loaded = store.load(BillingRun, run.id, what="billing_run")
    assert loaded.block_size == BLOCK_SIZE_BEFORE_V2
    assert loaded.pending_blocks() == [1_000, 1_500, 2_000]  # the first 1,000 clients were billed in order
    assert loaded.block_clients(2_000) == slice(2_000, 2_500)
    for first in loaded.pending_blocks():
        loaded.record_block(first, 500, NONE)
    loaded.finish_issuing()
    assert (loaded.clients_done, loaded.invoices_issued) == (2_500, 2_490)  # 990 before, 1,500 since


def test_refresh_brings_a_loaded_run_up_to_what_another_worker_appended():
    store = InMemoryEventStore()
    run = _run()
    store.save_as(CTX, run)
    mine, theirs = (store.load(BillingRun, run.id, what="billing_run") for _ in range(2))
    theirs.record_block(2, 2, NONE)
    store.save_as(CTX, theirs)
    assert store.refresh(mine) is mine and mine.blocks_done == {2} and mine.version == theirs.version
