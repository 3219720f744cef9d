"""The Contract aggregate: one client, one offer version, and the lifecycle that binds them.

draft -> active -> suspended <-> active -> terminated (final)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidTransition, RuleViolation

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
    ) -> None:
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
        self.status = "draft"

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
        self._require("activate")
        self._activated(on=on)

    def suspend(self, on: date, reason: str) -> None:
        self._require("suspend")
        self._suspended(on=on, reason=reason)

    def resume(self, on: date) -> None:
        self._require("resume")
        self._resumed(on=on)

    def terminate(self, on: date, reason: str) -> None:
        self._require("terminate")
        self._terminated(on=on, reason=reason)

    def _require(self, action: str) -> None:
        if self.status not in ALLOWED[action]:
            raise InvalidTransition(
                f"cannot {action} a {self.status} contract",
                code="invalid_contract_transition",
                current_status=self.status,
                action=action,
            )

    @event("ContractActivated")
    def _activated(self, on: date) -> None:
        self.status = "active"

    @event("ContractSuspended")
    def _suspended(self, on: date, reason: str) -> None:
        self.status = "suspended"

    @event("ContractResumed")
    def _resumed(self, on: date) -> None:
        self.status = "active"

    @event("ContractTerminated")
    def _terminated(self, on: date, reason: str) -> None:
        self.status = "terminated"
