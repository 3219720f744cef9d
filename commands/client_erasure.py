"""DeleteClient: erase a client's personal data, keeping its financial history whole.

`ClientErased` and the release of its CIN are appended; then its self-service drafts, notifications and
stored documents are dropped and its data key destroyed (infra/eventstore/erasure.py), which makes every
stored copy of its personal fields unreadable. Nothing is deleted from the log. A crash after the append
leaves an erased client whose key may still exist: running the command again finishes the job.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from commands.base import CommandResult
from domain.client import Client
from domain.contract import Contract
from domain.invoice import Invoice
from domain.markers import CinRegistration, held
from domain.payments import ClientAccount
from domain.period import Period
from domain.privacy import require_erasable
from infra.eventstore.erasure import ClientRecords, forget_personal_data
from infra.eventstore.port import EventStore
from infra.kernel.clock import Clock
from infra.kernel.command_context import CommandContext

FINAL_INVOICE_PERIODS = 2  # a terminated contract's last invoices are issued in the runs that follow


def delete_client(
    store: EventStore, clock: Clock, client_id: UUID, retention_days: int, ctx: CommandContext
) -> CommandResult:
    client = store.load(Client, client_id, what="client")
    records = _records(store, client)
    if client.erased:
        position = store.head()
    else:
        _require_erasable(records, client, clock.today(), retention_days)
        marker_id = CinRegistration.id_for(client.cin)
        marker = store.load_any([marker_id]).get(marker_id)
        client.erase()
        releasing = []
        if held(marker) and marker.client_id == client.id:
            marker.release()
            releasing.append(marker)
        position = store.save_as(ctx, client, *releasing)
    forget_personal_data(store, records)
    return CommandResult(client.id, position)


def _records(store: EventStore, client: Client) -> ClientRecords:
    contracts = store.load_many(Contract, [UUID(c) for c in client.contracts])
    account = store.load_any([ClientAccount.create_id(client.id)]).get(ClientAccount.create_id(client.id))
    invoices = store.load_many(Invoice, [Invoice.create_id(client.id, str(p)) for p in _periods(contracts)])
    return ClientRecords(client, list(contracts.values()), account, list(invoices.values()))


def _periods(contracts: dict[UUID, Contract]) -> list[Period]:
    """The periods the contracts may have been billed in: from the first start to the last change, and the
    runs after it."""
    if not contracts:
        return []
    period = Period.of(min(c.start_date for c in contracts.values()))
    last = Period.of(max(c.modified_on for c in contracts.values()).date())
    for _ in range(FINAL_INVOICE_PERIODS):
        last = last.next()
    periods = []
    while period <= last:
        periods.append(period)
        period = period.next()
    return periods


def _require_erasable(records: ClientRecords, client: Client, today: date, retention_days: int) -> None:
    stamps = [client.modified_on, *(a.modified_on for a in (*records.contracts, *records.invoices))]
    if records.account is not None:
        stamps.append(records.account.modified_on)
    require_erasable(
        has_history=bool(records.contracts or records.account),
        closed=client.status == "closed",
        active_contracts=sorted(str(c.id) for c in records.contracts if c.status != "terminated"),
        last_activity=max(stamps).date(),
        today=today,
        retention_days=retention_days,
    )
