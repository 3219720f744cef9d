"""RunCollectionsSweep, RecordCollectionAction and WriteOffCollectionCase.

A sweep reads the receivables at the current log position, works out each client's overdue
amount and days past due on `as_of`, and appends what changed, block by block: threshold
crossings (each once per overdue episode), delinquency, new cases, resolved cases and broken
promises. Running it again for the same day returns the first sweep; a sweep that crashed is
simply run again, because every crossing is recorded once.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from commands.base import Command, CommandResult, PositiveAmount
from commands.receivables_input import read_receivables
from domain.collections import (
    ACTIONS,
    ClientCollections,
    CollectionCase,
    CollectionsPolicy,
    CollectionsSweep,
    exposure_of,
)
from domain.errors import RuleViolation
from infra.eventstore.port import EventStore
from infra.kernel import metrics
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext
from infra.kernel.faults import crash_point

Note = Annotated[str, StringConstraints(min_length=1, max_length=500)]

log = logging.getLogger(__name__)


class RunCollectionsSweep(Command):
    as_of: date | None = Field(
        default=None, description="The day to assess; today when omitted, never in the future."
    )


class RecordCollectionAction(Command):
    kind: Literal[ACTIONS]  # type: ignore[valid-type]
    note: Note | None = None
    promise_date: date | None = None
    promise_amount: PositiveAmount | None = None


class WriteOffCollectionCase(Command):
    reason: Note


def policy_from(settings) -> CollectionsPolicy:
    return CollectionsPolicy(
        reminder_dpd=settings.collections_reminder_dpd,
        case_dpd=settings.collections_case_dpd,
        warning_dpd=settings.collections_warning_dpd,
        delinquent_dpd=settings.collections_delinquent_dpd,
    )


def run_collections_sweep(
    store: EventStore,
    clock: Clock,
    policy: CollectionsPolicy,
    cmd: RunCollectionsSweep,
    ctx: CommandContext,
    block_size: int = 500,
) -> tuple[CommandResult, bool, CollectionsSweep]:
    as_of = cmd.as_of or clock.today()
    if as_of > clock.today():
        raise RuleViolation("a sweep cannot assess a future day", code="as_of_in_future", field="as_of")
    sweep_id = CollectionsSweep.create_id(as_of)
    if store.exists(sweep_id):
        return (
            CommandResult(sweep_id, store.position_of(sweep_id)),
            False,
            store.load(CollectionsSweep, sweep_id, what="sweep"),
        )
    position = store.head()
    receivables = read_receivables(store, position)
    clients = sorted(receivables, key=str)
    log.info("collections sweep of %s: reviewing %d clients (%s)", as_of, len(clients), ctx.actor)
    outcomes: Counter = Counter()
    for start in range(0, len(clients), block_size):
        block = clients[start : start + block_size]
        changed = _review_block(store, policy, as_of, block, receivables)
        for aggregate in changed:
            outcomes.update(type(e).__name__ for e in aggregate.pending_events)
        if changed:
            store.save_as(ctx, *changed)
        crash_point("collections.after_block")
    sweep = CollectionsSweep(
        as_of=as_of, position=position, clients_reviewed=len(clients), outcomes=dict(sorted(outcomes.items()))
    )
    result = CommandResult(sweep.id, store.save_as(ctx, sweep))
    log.info("collections sweep of %s: done, %s", as_of, sweep.outcomes or "nothing to do")
    for outcome, count in sweep.outcomes.items():
        metrics.sweep_outcomes.add(count, {"outcome": outcome})
    return result, True, sweep


def _review_block(
    store: EventStore, policy: CollectionsPolicy, as_of: date, block: list[UUID], receivables
) -> list:
    trackers = store.load_many(ClientCollections, [ClientCollections.create_id(c) for c in block])
    cases = store.load_many(CollectionCase, [t.case_id for t in trackers.values() if t.case_id])
    changed: dict[UUID, object] = {}
    for client_id in block:
        exposure = exposure_of(receivables[client_id], as_of)
        tracker = trackers.get(ClientCollections.create_id(client_id))
        if tracker is None:
            if exposure.overdue <= 0:
                continue
            tracker = ClientCollections(client_id=client_id)
        if tracker.case_id in cases:
            case = cases[tracker.case_id]
            case.review(exposure.overdue, as_of)
            changed[case.id] = case
        if tracker.review(exposure, as_of, policy):
            case = CollectionCase(
                client_id=client_id,
                opened_on=as_of,
                days_past_due=exposure.days_past_due,
                overdue=exposure.overdue,
            )
            tracker.attach_case(case.id)
            changed[case.id] = case
        changed[tracker.id] = tracker
    return [aggregate for aggregate in changed.values() if aggregate.pending_events]


def record_collection_action(
    store: EventStore, clock: Clock, case_id: UUID, cmd: RecordCollectionAction, ctx: CommandContext
) -> CommandResult:
    case = store.load(CollectionCase, case_id, what="collection_case")
    case.record_action(cmd.kind, clock.today(), cmd.note, cmd.promise_date, cmd.promise_amount)
    return CommandResult(case.id, store.save_as(ctx, case))


def write_off_collection_case(
    store: EventStore, clock: Clock, case_id: UUID, cmd: WriteOffCollectionCase, ctx: CommandContext
) -> CommandResult:
    case = store.load(CollectionCase, case_id, what="collection_case")
    case.write_off(clock.today(), cmd.reason)
    return CommandResult(case.id, store.save_as(ctx, case))
