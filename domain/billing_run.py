"""The BillingRun aggregate: one per period, so a second RunBilling of that period finds the first.

running -> issued -> completed. A run records the log position it bills against, the issue and
due dates and the VAT rate, so a resumed run (or an auditor) recomputes exactly the same invoices.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.billing import ZERO, Totals
from domain.errors import InvalidTransition
from domain.identity import MTF_NAMESPACE


class BillingRun(Aggregate):
    @staticmethod
    def create_id(period: str, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"billing-run/{period}")

    @event("BillingRunStarted")
    def __init__(
        self,
        period: str,
        billed_position: int,
        issue_date: date,
        due_date: date,
        vat_rate: Decimal,
        clients_total: int,
    ) -> None:
        self.period = period
        self.billed_position = billed_position
        self.issue_date = issue_date
        self.due_date = due_date
        self.vat_rate = vat_rate
        self.clients_total = clients_total
        self.status = "running"
        self.clients_done = 0
        self.invoices_issued = 0
        self.net = self.tax = self.gross = ZERO

    def record_progress(self, clients: int, invoices: int, totals: Totals) -> None:
        """A block of clients was billed; appended with that block's invoices."""
        self._require("running")
        self._progressed(
            clients_done=self.clients_done + clients,
            invoices_issued=self.invoices_issued + invoices,
            net=self.net + totals.net,
            tax=self.tax + totals.tax,
            gross=self.gross + totals.gross,
        )

    def finish_issuing(self) -> None:
        self._require("running")
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

    @event("BillingRunProgressed")
    def _progressed(
        self, clients_done: int, invoices_issued: int, net: Decimal, tax: Decimal, gross: Decimal
    ) -> None:
        self.clients_done, self.invoices_issued = clients_done, invoices_issued
        self.net, self.tax, self.gross = net, tax, gross

    @event("BillingRunIssued")
    def _issued(self, invoices_issued: int, net: Decimal, tax: Decimal, gross: Decimal) -> None:
        self.status = "issued"

    @event("BillingRunCompleted")
    def _completed(self, documents: int) -> None:
        self.status = "completed"
