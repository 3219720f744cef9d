"""The BillingRun aggregate: one per period, so a second RunBilling of that period finds the first.

running -> issued -> completed. A run records the log position it bills against, the issue and
due dates, the VAT rate and the size of its blocks, so a resumed run (or an auditor) recomputes
exactly the same invoices. Its clients, in a fixed order, fall into blocks of `block_size`; each
block is issued once, by whichever worker claims it, in the append that issues its invoices.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.billing import ZERO, Totals
from domain.errors import Conflict, InvalidTransition
from domain.identity import MTF_NAMESPACE

# The block size a run recorded before v2 reads with: the default then. Such a run billed its clients in
# order, so only those it had not reached are cut into blocks of it, and any size would do.
BLOCK_SIZE_BEFORE_V2 = 500


class BillingRun(Aggregate):
    @staticmethod
    def create_id(period: str, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"billing-run/{period}")

    class BillingRunStarted(Aggregate.Created):
        """Version 2 added `block_size`. A version 1 run reads with BLOCK_SIZE_BEFORE_V2."""

        class_version = 2
        period: str
        billed_position: int
        issue_date: date
        due_date: date
        vat_rate: Decimal
        clients_total: int
        block_size: int

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["block_size"] = BLOCK_SIZE_BEFORE_V2

    @event(BillingRunStarted)
    def __init__(
        self,
        period: str,
        billed_position: int,
        issue_date: date,
        due_date: date,
        vat_rate: Decimal,
        clients_total: int,
        block_size: int,
    ) -> None:
        self.period = period
        self.billed_position = billed_position
        self.issue_date = issue_date
        self.due_date = due_date
        self.vat_rate = vat_rate
        self.clients_total = clients_total
        self.block_size = block_size
        self.status = "running"
        self.clients_done = 0
        self.invoices_issued = 0
        self.net = self.tax = self.gross = ZERO
        self.issued_in_order = (
            0  # clients billed by BillingRunProgressed, the one-worker form of earlier runs
        )
        self.blocks_done: set[int] = set()

    def blocks(self) -> range:
        """The first client (its index in the run's order) of every block."""
        return range(self.issued_in_order, self.clients_total, self.block_size)

    def pending_blocks(self) -> list[int]:
        return [first for first in self.blocks() if first not in self.blocks_done]

    def block_clients(self, first_client: int) -> slice:
        return slice(first_client, min(first_client + self.block_size, self.clients_total))

    def record_block(self, first_client: int, invoices: int, totals: Totals) -> None:
        """A block of clients was billed; appended with that block's invoices."""
        self._require("running")
        if first_client not in self.blocks():
            raise InvalidTransition(
                f"no block of the run starts at client {first_client}",
                code="billing_block_unknown",
                first_client=first_client,
            )
        if first_client in self.blocks_done:
            raise Conflict(
                f"the block at client {first_client} is already issued",
                code="billing_block_already_issued",
                first_client=first_client,
            )
        clients = self.block_clients(first_client)
        self._block_issued(
            first_client=first_client,
            clients=clients.stop - clients.start,
            invoices=invoices,
            net=totals.net,
            tax=totals.tax,
            gross=totals.gross,
        )

    def finish_issuing(self) -> None:
        self._require("running")
        if self.pending_blocks():
            raise InvalidTransition(
                "the run still has blocks to issue",
                code="billing_blocks_pending",
                blocks_pending=len(self.pending_blocks()),
            )
        self._issued(invoices_issued=self.invoices_issued, net=self.net, tax=self.tax, gross=self.gross)

    def complete(self, documents: int) -> None:
        self._require("issued")
        self._completed(documents=documents)

    def _require(self, status: str) -> None:
        if self.status != status:
            raise InvalidTransition(
                f"the billing run is {self.status}",
                code="billing_run_not_" + status,
                current_status=self.status,
            )

    @event("BillingRunBlockIssued")
    def _block_issued(
        self, first_client: int, clients: int, invoices: int, net: Decimal, tax: Decimal, gross: Decimal
    ) -> None:
        self.blocks_done.add(first_client)
        self.clients_done += clients
        self.invoices_issued += invoices
        self.net, self.tax, self.gross = self.net + net, self.tax + tax, self.gross + gross

    @event("BillingRunProgressed")
    def _progressed(
        self, clients_done: int, invoices_issued: int, net: Decimal, tax: Decimal, gross: Decimal
    ) -> None:
        """Recorded by runs before blocks could be issued by several workers: the clients up to
        `clients_done`, in order, were billed. Still read; no longer recorded."""
        self.clients_done = self.issued_in_order = clients_done
        self.invoices_issued = invoices_issued
        self.net, self.tax, self.gross = net, tax, gross

    @event("BillingRunIssued")
    def _issued(self, invoices_issued: int, net: Decimal, tax: Decimal, gross: Decimal) -> None:
        self.status = "issued"

    @event("BillingRunCompleted")
    def _completed(self, documents: int) -> None:
        self.status = "completed"
