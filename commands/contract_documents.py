"""Issues the contract document for a provisioning or a plan change; it is written with the events that announce it."""

from __future__ import annotations

from datetime import date
from uuid import uuid5

from domain.client import Client
from domain.contract import Contract
from domain.identity import MTF_NAMESPACE, mask
from domain.offer import Offer
from domain.operator import Operator
from domain.self_service import legacy_reference
from infra.eventstore.port import Row
from infra.kernel.clock import Clock
from infra.pdf.choice import contract_pdf
from infra.pdf.contract import ContractSheet
from infra.pdf.invoice import Customer
from infra.storage.documents import contract_document


def contract_number(contract: Contract) -> str:
    return contract.reference or legacy_reference(contract.id, contract.start_date)


def issue_contract_document(
    clock: Clock,
    operator: Operator,
    contract: Contract,
    client: Client,
    offer: Offer,
    reason: str,
    effective: date,
) -> Row:
    """Renders the document and records it on the contract; returns its row, for `save_as(..., alongside=...)`."""
    # Deterministic id: a retried command re-renders the same document instead of adding another.
    document_id = uuid5(MTF_NAMESPACE, f"contract-document/{contract.id}/{contract.version + 1}")
    sheet = ContractSheet(
        contract_number=contract_number(contract),
        reason=reason,
        customer=Customer(client.full_name, client.address, mask(client.cin), client.ice, client.language),
        service=contract.service,
        number=contract.number,
        offer_name=offer.name,
        offer_version=offer.terms_version,
        components=offer.components,
        monthly_fee=offer.monthly_fee,
        activation_fee=offer.activation_fee,
        commitment_months=contract.commitment_months,
        effective_date=effective,
    )
    stored, row = contract_document(
        document_id, contract.id, reason, contract_pdf(operator, sheet), clock.now()
    )
    contract.record_document(stored.document_id, stored.sha256, stored.size, reason)
    return row
