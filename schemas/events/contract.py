"""Payloads of mtf.contract.v1 events."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from domain.contract import Contract
from schemas.events.base import EventPayload, Money


class ContractProvisionedV1(EventPayload):
    client_id: UUID
    subscriber_id: UUID
    number: str
    offer_id: UUID
    offer_version: int
    offer_name: str
    service: Literal["mobile", "internet", "landline"]
    monthly_fee: Money
    activation_fee: Money
    start_date: date
    commitment_months: Literal[0, 12, 24]
    reference: str | None = Field(
        default=None,
        description="The contract's reference for the customer, printed on its documents: random, a reference "
        "and never a credential. Absent on contracts provisioned before references were drawn.",
    )
    brought_by: str | None = Field(
        default=None,
        description="The partner (partner:<name>) that provisioned the contract; null or absent: the operator's staff.",
    )


class ContractActivatedV1(EventPayload):
    on: date


class ContractSuspendedV1(EventPayload):
    on: date
    reason: str


class ContractResumedV1(EventPayload):
    on: date


class ContractTerminatedV1(EventPayload):
    on: date
    reason: str
    early_termination_months: int
    early_termination_charge: Money


class ContractPlanChangedV1(EventPayload):
    offer_id: UUID
    offer_version: int
    offer_name: str
    monthly_fee: Money
    effective_date: date
    change: Literal["upgrade", "downgrade", "lateral"]


class ContractDocumentIssuedV1(EventPayload):
    document_id: UUID
    sha256: str
    size: int
    reason: Literal["provisioning", "plan_change"]


# The public type of each event: its topic's aggregate name and its payload. schemas/catalog.py gathers these.
PUBLISHED: dict[type, tuple[str, type[EventPayload]]] = {
    Contract.ContractProvisioned: ("contract", ContractProvisionedV1),
    Contract.ContractActivated: ("contract", ContractActivatedV1),
    Contract.ContractSuspended: ("contract", ContractSuspendedV1),
    Contract.ContractResumed: ("contract", ContractResumedV1),
    Contract.ContractTerminated: ("contract", ContractTerminatedV1),
    Contract.ContractDocumentIssued: ("contract", ContractDocumentIssuedV1),
    Contract.ContractPlanChanged: ("contract", ContractPlanChangedV1),
}
