"""Collections: reminders, warnings and delinquency per client, and collection cases.

`ClientCollections` follows one client through an overdue episode: from the first day past due
until it is paid up. Each threshold crossing is recorded once per episode, so a sweep run twice,
or resumed after a crash, never repeats a reminder. A `CollectionCase` is the operator's work
item: open -> in_progress -> promise_to_pay -> resolved, or written_off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidTransition, RuleViolation
from domain.identity import MTF_NAMESPACE


@dataclass(frozen=True)
class CollectionsPolicy:
    reminder_dpd: int = 1
    case_dpd: int = 15
    warning_dpd: int = 30
    delinquent_dpd: int = 60


@dataclass(frozen=True)
class Exposure:
    """What a client owes past due on a day: the amount, and the days past due of its oldest such invoice."""

    overdue: Decimal
    days_past_due: int


class ClientCollections(Aggregate):
    @staticmethod
    def create_id(client_id: UUID, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"collections/{client_id}")

    @event("ClientCollectionsOpened")
    def __init__(self, client_id: UUID) -> None:
        self.client_id = client_id
        self.crossed: list[str] = []  # thresholds crossed in the current episode
        self.delinquent = False
        self.case_id: UUID | None = None

    def review(self, exposure: Exposure, as_of: date, policy: CollectionsPolicy) -> bool:
        """Records the crossings of this exposure; returns True when a collection case should open."""
        if exposure.overdue <= 0:
            self._paid_up(as_of)
            return False
        facts = {
            "client_id": self.client_id,
            "as_of": as_of,
            "days_past_due": exposure.days_past_due,
            "overdue": exposure.overdue,
        }
        if exposure.days_past_due >= policy.reminder_dpd and "reminder" not in self.crossed:
            self._reminder_due(**facts)
        if exposure.days_past_due >= policy.warning_dpd and "warning" not in self.crossed:
            self._warning_due(**facts)
        if exposure.days_past_due >= policy.delinquent_dpd and not self.delinquent:
            self._marked_delinquent(**facts)
        return exposure.days_past_due >= policy.case_dpd and self.case_id is None

    def attach_case(self, case_id: UUID) -> None:
        self._case_attached(case_id=case_id)

    def _paid_up(self, as_of: date) -> None:
        if self.delinquent:
            self._delinquency_cleared(client_id=self.client_id, as_of=as_of)
        if self.crossed or self.case_id:
            self._episode_closed(as_of=as_of, case_id=self.case_id)

    @event("PaymentReminderDue")
    def _reminder_due(self, client_id: UUID, as_of: date, days_past_due: int, overdue: Decimal) -> None:
        self.crossed.append("reminder")

    @event("PaymentWarningDue")
    def _warning_due(self, client_id: UUID, as_of: date, days_past_due: int, overdue: Decimal) -> None:
        self.crossed.append("warning")

    @event("ClientMarkedDelinquent")
    def _marked_delinquent(self, client_id: UUID, as_of: date, days_past_due: int, overdue: Decimal) -> None:
        self.delinquent = True

    @event("ClientDelinquencyCleared")
    def _delinquency_cleared(self, client_id: UUID, as_of: date) -> None:
        self.delinquent = False

    @event("CollectionCaseAttached")
    def _case_attached(self, case_id: UUID) -> None:
        self.case_id = case_id

    @event("CollectionsEpisodeClosed")
    def _episode_closed(self, as_of: date, case_id: UUID | None) -> None:
        self.crossed, self.case_id = [], None


class CollectionsSweep(Aggregate):
    """One per day: a second sweep of the same day finds the first and changes nothing."""

    @staticmethod
    def create_id(as_of: date, **_: Any) -> UUID:
        return uuid5(MTF_NAMESPACE, f"collections-sweep/{as_of.isoformat()}")

    @event("CollectionsSweepCompleted")
    def __init__(self, as_of: date, position: int, clients_reviewed: int, outcomes: dict[str, int]) -> None:
        self.as_of = as_of
        self.outcomes = outcomes


ACTIONS = ("reminder_sent", "call_logged", "promise_to_pay", "suspension_requested")
OPEN_STATES = ("open", "in_progress", "promise_to_pay")


class CollectionCase(Aggregate):
    @event("CollectionCaseOpened")
    def __init__(self, client_id: UUID, opened_on: date, days_past_due: int, overdue: Decimal) -> None:
        self.client_id = client_id
        self.status = "open"
        self.promise: dict[str, Any] | None = None

    def record_action(
        self, kind: str, on: date, note: str | None, promise_date: date | None, promise_amount: Decimal | None
    ) -> None:
        self._require_open()
        if kind == "promise_to_pay":
            if promise_date is None or promise_amount is None or promise_amount <= 0:
                raise RuleViolation(
                    "a promise to pay needs a date and a positive amount",
                    code="promise_incomplete",
                    field="promise_date",
                )
            if promise_date < on:
                raise RuleViolation(
                    "a promise to pay is for a future date", code="promise_in_past", field="promise_date"
                )
        self._action_recorded(
            kind=kind, on=on, note=note, promise_date=promise_date, promise_amount=promise_amount
        )

    def review(self, overdue: Decimal, as_of: date) -> None:
        """At each sweep: resolved when nothing is overdue; back to work when a promise's date passed unpaid."""
        if self.status not in OPEN_STATES:
            return
        if overdue <= 0:
            self._resolved(on=as_of)
        elif self.status == "promise_to_pay" and self.promise and self.promise["date"] < as_of:
            self._promise_broken(on=as_of, promise_date=self.promise["date"], overdue=overdue)

    def write_off(self, on: date, reason: str) -> None:
        self._require_open()
        self._written_off(on=on, reason=reason)

    def _require_open(self) -> None:
        if self.status not in OPEN_STATES:
            raise InvalidTransition(
                f"the case is {self.status}", code="collection_case_closed", current_status=self.status
            )

    @event("CollectionActionRecorded")
    def _action_recorded(
        self, kind: str, on: date, note: str | None, promise_date: date | None, promise_amount: Decimal | None
    ) -> None:
        if kind == "promise_to_pay":
            self.status, self.promise = "promise_to_pay", {"date": promise_date, "amount": promise_amount}
        elif self.status == "open":
            self.status = "in_progress"

    @event("CollectionPromiseBroken")
    def _promise_broken(self, on: date, promise_date: date, overdue: Decimal) -> None:
        self.status, self.promise = "in_progress", None

    @event("CollectionCaseResolved")
    def _resolved(self, on: date) -> None:
        self.status = "resolved"

    @event("CollectionCaseWrittenOff")
    def _written_off(self, on: date, reason: str) -> None:
        self.status = "written_off"


AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def aging_bucket(as_of: date, due_date: date) -> str:
    """The bucket of an amount due on `due_date`, by its days past due on `as_of`."""
    late = (as_of - due_date).days
    if late <= 0:
        return "current"
    return "1-30" if late <= 30 else "31-60" if late <= 60 else "61-90" if late <= 90 else "90+"


@dataclass
class Receivable:
    """One invoice as collections sees it: what it was for, when due, and every dated change of what it owes."""

    client_id: UUID
    issue_date: date
    due_date: date
    gross: Decimal
    settlements: list[tuple[date, Decimal]]

    def owed_on(self, day: date) -> Decimal:
        return self.gross - sum((amount for on, amount in self.settlements if on <= day), Decimal(0))


def exposure_of(receivables: list[Receivable], as_of: date) -> Exposure:
    overdue, oldest = Decimal("0.00"), 0
    for receivable in receivables:
        if receivable.issue_date > as_of or receivable.due_date >= as_of:
            continue
        owed = receivable.owed_on(as_of)
        if owed > 0:
            overdue += owed
            oldest = max(oldest, (as_of - receivable.due_date).days)
    return Exposure(overdue, oldest)
