"""RecordPaymentBatch: the payments of a bank statement or a collection agency's remittance, all or none.

The batch is decided like single payments, in its order and against one read of every
aggregate it touches, so two payments of one client settle its invoices one after the other.
It is then one append. A refused item refuses the whole batch and appends nothing; an item
recorded before (same method and reference) is answered with its first result, so a statement
can be sent again safely after a failure.
"""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple
from uuid import UUID

from pydantic import Field

from commands.base import Command
from commands.payments import RecordPayment, billed_periods, ledger_ids, receive, received_date, worth_saving
from commands.retry import retry_on_conflict
from domain.errors import DomainError, RuleViolation
from domain.payments import Payment
from infra.eventstore.port import EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext

MAX_BATCH = 500


class RecordPaymentBatch(Command):
    payments: Annotated[list[RecordPayment], Field(min_length=1, max_length=MAX_BATCH)]


class BatchItem(NamedTuple):
    payment_id: UUID
    created: bool  # False: the same method and reference was recorded before


class BatchRecorded(NamedTuple):
    position: int
    items: list[BatchItem]


@retry_on_conflict
def record_payment_batch(
    store: EventStore, clock: Clock, cmd: RecordPaymentBatch, ctx: CommandContext
) -> BatchRecorded:
    _refuse_repeated_references(cmd)
    periods = billed_periods(store)
    found = store.load_any(list(dict.fromkeys(i for item in cmd.payments for i in ledger_ids(item, periods))))
    changed: dict[UUID, Any] = {}  # every aggregate to append, once, in first-touched order
    payments, items, refused = [], [], []
    for index, item in enumerate(cmd.payments):
        try:
            received = receive(store, item, received_date(item, clock), periods, found)
        except DomainError as error:
            refused.append({"index": index, "code": error.code, "message": error.message, **error.details})
            continue
        if received is None:
            items.append(BatchItem(Payment.create_id(item.method, item.reference), False))
            continue
        payment, settled, account = received
        changed.update({a.id: a for a in (*settled, *worth_saving(account))})
        payments.append(payment)
        items.append(BatchItem(payment.id, True))
    if refused:
        raise RuleViolation(
            f"{len(refused)} of {len(cmd.payments)} payments were refused; nothing was recorded",
            code="payment_batch_refused",
            refused=refused,
        )
    return BatchRecorded(_append(store, ctx, [*changed.values(), *payments], items), items)


def _refuse_repeated_references(cmd: RecordPaymentBatch) -> None:
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(cmd.payments):
        first = seen.setdefault((item.method, item.reference), index)
        if first != index:
            raise RuleViolation(
                "the same method and reference appear twice in the batch",
                code="payment_repeated_in_batch",
                field=f"payments.{index}.reference",
                first_index=first,
            )


def _append(store: EventStore, ctx: CommandContext, aggregates: list, items: list[BatchItem]) -> int:
    """The append's position; for a batch recorded entirely before, the position of its latest payment."""
    if aggregates:
        return store.save_as(ctx, *aggregates)
    return max(store.position_of(item.payment_id) for item in items)
