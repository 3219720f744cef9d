"""Every read model the system maintains."""

from __future__ import annotations

from projections import (
    access_refusals,
    billing_run_progress,
    client_credit,
    client_directory,
    collection_cases,
    contract_audit_trail,
    contract_summary,
    credit_note_register,
    discount_register,
    invoice_register,
    offer_catalog,
    payment_register,
    subscriber_directory,
)
from projections.base import Projection

PROJECTIONS: dict[str, Projection] = {
    p.name: p
    for p in (
        contract_summary.PROJECTION,
        contract_audit_trail.PROJECTION,
        offer_catalog.PROJECTION,
        client_directory.PROJECTION,
        subscriber_directory.PROJECTION,
        access_refusals.PROJECTION,
        billing_run_progress.PROJECTION,
        invoice_register.PROJECTION,
        credit_note_register.PROJECTION,
        discount_register.PROJECTION,
        payment_register.PROJECTION,
        client_credit.PROJECTION,
        collection_cases.PROJECTION,
    )
}
