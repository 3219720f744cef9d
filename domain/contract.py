"""The Contract aggregate: one client, one offer version at a time, and the lifecycle that binds them.

draft -> active -> suspended <-> active -> terminated (final)

The offer timeline lists every offer version with the date it takes effect; billing prorates
from it. A plan change is classed by tier, which within a service is the monthly fee order.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.booking import bookable
from domain.commitment import commitment_end, remaining_whole_months
from domain.errors import Conflict, InvalidTransition, RuleViolation
from domain.money import mad
from domain.offer import Offer
from domain.plan_timeline import PlanTerms, changed, in_effect_on

COMMITMENTS = (0, 12, 24)

ALLOWED = {
    "activate": {"draft"},
    "suspend": {"active"},
    "resume": {"suspended"},
    "terminate": {"active", "suspended"},
}


class Contract(Aggregate):
    @event("ContractProvisioned")
    def __init__(
        self,
        client_id: UUID,
        subscriber_id: UUID,
        number: str,
        offer_id: UUID,
        offer_version: int,
        offer_name: str,
        service: str,
        monthly_fee: Decimal,
        activation_fee: Decimal,
        start_date: date,
        commitment_months: int,
        reference: str | None = None,
        brought_by: str | None = None,
    ) -> None:
        self.brought_by = brought_by  # the partner that provisioned the contract; None: the operator's staff
        self.client_id = client_id
        self.subscriber_id = subscriber_id
        self.number = number
        self.offer_id = offer_id
        self.offer_version = offer_version
        self.offer_name = offer_name
        self.service = service
        self.monthly_fee = monthly_fee
        self.activation_fee = activation_fee
        self.start_date = start_date
        self.commitment_months = commitment_months
        self.reference = reference  # None on contracts provisioned before references were drawn
        self.status = "draft"
        self.status_since = start_date
        self.timeline = [PlanTerms(offer_id, offer_version, offer_name, monthly_fee, start_date)]
        self.documents: list[UUID] = []

    @classmethod
    def provision(cls, *, commitment_months: int, **terms) -> Contract:
        if commitment_months not in COMMITMENTS:
            raise RuleViolation(
                f"commitment must be one of {COMMITMENTS} months",
                code="invalid_commitment",
                field="commitment_months",
            )
        return cls(commitment_months=commitment_months, **terms)

    def activate(self, on: date) -> None:
        self._require("activate", on)
        self._activated(on=on)

    def suspend(self, on: date, reason: str) -> None:
        self._require("suspend", on)
        self._suspended(on=on, reason=reason)

    def resume(self, on: date) -> None:
        self._require("resume", on)
        self._resumed(on=on)

    @property
    def commitment_ends(self) -> date:
        return commitment_end(self.start_date, self.commitment_months)

    def terminate(self, on: date, reason: str, early_termination: bool = False) -> None:
        self._require("terminate", on)
        months = remaining_whole_months(on, self.commitment_ends)
        if on < self.commitment_ends and not early_termination:
            raise Conflict(
                "the commitment has not ended: terminating now needs early_termination: true",
                code="early_termination_required",
                commitment_ends=self.commitment_ends.isoformat(),
                remaining_months=months,
            )
        charge = mad(self.plan_on(on).monthly_fee * months) if on < self.commitment_ends else mad(0)
        self._terminated(
            on=on,
            reason=reason,
            early_termination_months=months if charge else 0,
            early_termination_charge=charge,
        )

    def plan_on(self, day: date) -> PlanTerms:
        """The offer version in force on `day`."""
        return in_effect_on(self.timeline, day)

    def change_plan_to(self, offer: Offer, effective_date: date, today: date) -> str:
        """The one plan-change path (the operator's ChangePlan, provisioning's plan change, the
        self-service preview): the offer must be on sale on the effective date, then the contract's
        own rules apply. Returns upgrade, downgrade or lateral."""
        offer.require_sellable_on(effective_date, "effective date")
        return self.change_plan(
            offer_id=offer.id,
            offer_version=offer.terms_version,
            offer_name=offer.name,
            service=offer.service,
            monthly_fee=offer.monthly_fee,
            effective_date=effective_date,
            today=today,
        )

    def change_plan(
        self,
        *,
        offer_id: UUID,
        offer_version: int,
        offer_name: str,
        service: str,
        monthly_fee: Decimal,
        effective_date: date,
        today: date,
    ) -> str:
        """Schedules the new offer version from `effective_date`; returns upgrade, downgrade or lateral."""
        if self.status != "active":
            raise InvalidTransition(
                f"a {self.status} contract cannot change plan",
                code="plan_change_not_allowed",
                current_status=self.status,
            )
        if service != self.service:
            raise RuleViolation(
                "a plan change stays within the same service",
                code="plan_change_service_mismatch",
                field="offer_id",
            )
        bookable(effective_date, today, "effective_date")
        if effective_date < self.start_date:
            raise RuleViolation(
                "the effective date is before the contract start",
                code="effective_date_before_start",
                field="effective_date",
            )
        current = self.plan_on(effective_date)
        if (current.offer_id, current.offer_version) == (offer_id, offer_version):
            raise Conflict("the contract is already on this offer version", code="plan_unchanged")
        kind = classify_change(current.monthly_fee, monthly_fee)
        if kind == "downgrade" and effective_date < self.commitment_ends:
            raise Conflict(
                "a downgrade is not allowed during the commitment period",
                code="downgrade_blocked_by_commitment",
                commitment_ends=self.commitment_ends.isoformat(),
            )
        self._plan_changed(
            offer_id=offer_id,
            offer_version=offer_version,
            offer_name=offer_name,
            monthly_fee=monthly_fee,
            effective_date=effective_date,
            change=kind,
        )
        return kind

    def _require(self, action: str, on: date) -> None:
        if self.status not in ALLOWED[action]:
            raise InvalidTransition(
                f"cannot {action} a {self.status} contract",
                code="invalid_contract_transition",
                current_status=self.status,
                action=action,
            )
        # Billing reads status changes as a timeline: each one must follow the last.
        if on < self.status_since:
            raise RuleViolation(
                f"the date is before the last status change ({self.status_since.isoformat()})",
                code="date_before_last_change",
                field="on",
            )

    @event("ContractActivated")
    def _activated(self, on: date) -> None:
        self.status, self.status_since = "active", on

    @event("ContractSuspended")
    def _suspended(self, on: date, reason: str) -> None:
        self.status, self.status_since = "suspended", on

    @event("ContractResumed")
    def _resumed(self, on: date) -> None:
        self.status, self.status_since = "active", on

    @event("ContractTerminated")
    def _terminated(
        self, on: date, reason: str, early_termination_months: int, early_termination_charge: Decimal
    ) -> None:
        self.status, self.status_since = "terminated", on
        self.terminated_on = on

    def record_document(self, document_id: UUID, sha256: str, size: int, reason: str) -> None:
        """A contract document was issued for this contract (its bytes are in the document store)."""
        self._document_issued(document_id=document_id, sha256=sha256, size=size, reason=reason)

    @event("ContractDocumentIssued")
    def _document_issued(self, document_id: UUID, sha256: str, size: int, reason: str) -> None:
        self.documents.append(document_id)

    @event("ContractPlanChanged")
    def _plan_changed(
        self,
        offer_id: UUID,
        offer_version: int,
        offer_name: str,
        monthly_fee: Decimal,
        effective_date: date,
        change: str,
    ) -> None:
        self.timeline = changed(
            self.timeline, PlanTerms(offer_id, offer_version, offer_name, monthly_fee, effective_date)
        )
        self.offer_id, self.offer_version, self.offer_name, self.monthly_fee = (
            offer_id,
            offer_version,
            offer_name,
            monthly_fee,
        )


def classify_change(current_fee: Decimal, new_fee: Decimal) -> str:
    if new_fee > current_fee:
        return "upgrade"
    if new_fee < current_fee:
        return "downgrade"
    return "lateral"
