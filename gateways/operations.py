"""Each operation's stable `operationId` and summary, and each tag's description.

A client generated from the OpenAPI document names its calls after the operationId
(`provisionContract`, `listInvoices`), so an id is part of the API's contract: renaming one breaks
generated clients. One table keeps them all in view; `name_operations` refuses to start an app
with a route missing from it.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

OPERATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("GET", "/health"): ("health", "Is the process up"),
    ("GET", "/ready"): ("ready", "Can the process serve: database, broker and projections"),
    ("GET", "/api/v1/me"): ("whoAmI", "The calling key's role and scopes"),
    # clients
    ("GET", "/api/v1/clients"): ("listClients", "Search clients by CIN, name or status"),
    ("POST", "/api/v1/clients"): ("registerClient", "Register a client"),
    ("GET", "/api/v1/clients/{client_id}"): ("getClient", "One client"),
    ("PUT", "/api/v1/clients/{client_id}"): ("updateClientDetails", "Update a client's details"),
    ("DELETE", "/api/v1/clients/{client_id}"): ("deleteClient", "Erase a client's personal data"),
    ("POST", "/api/v1/clients/{client_id}/status"): (
        "changeClientStatus",
        "Suspend, reactivate or close a client",
    ),
    ("GET", "/api/v1/clients/{client_id}/balance"): (
        "getClientBalance",
        "A client's open and overdue amounts and credit",
    ),
    # offers
    ("GET", "/api/v1/offers"): ("listOffers", "The catalog, filtered by service, family and status"),
    ("POST", "/api/v1/offers"): ("createOffer", "Create an offer"),
    ("GET", "/api/v1/offers/{offer_id}"): ("getOffer", "One offer, at its latest version"),
    ("PUT", "/api/v1/offers/{offer_id}"): ("updateOffer", "Update an offer (a new version)"),
    ("DELETE", "/api/v1/offers/{offer_id}"): ("deleteOffer", "Delete an offer no contract ever used"),
    ("POST", "/api/v1/offers/{offer_id}/retirement"): ("retireOffer", "Take an offer off sale"),
    ("GET", "/api/v1/offers/{offer_id}/versions"): ("listOfferVersions", "Every version of an offer"),
    ("GET", "/api/v1/offer-categories"): (
        "listOfferCategories",
        "The catalog's services, families and tiers",
    ),
    # contracts
    ("GET", "/api/v1/contracts"): ("listContracts", "Search contracts"),
    ("POST", "/api/v1/contracts"): ("provisionContract", "Provision a contract: a new line or a plan change"),
    ("GET", "/api/v1/contracts/{contract_id}"): ("getContract", "One contract"),
    ("POST", "/api/v1/contracts/{contract_id}/activation"): ("activateContract", "Activate a draft contract"),
    ("POST", "/api/v1/contracts/{contract_id}/suspension"): ("suspendContract", "Suspend a contract"),
    ("POST", "/api/v1/contracts/{contract_id}/resumption"): ("resumeContract", "Resume a suspended contract"),
    ("POST", "/api/v1/contracts/{contract_id}/termination"): ("terminateContract", "Terminate a contract"),
    ("POST", "/api/v1/contracts/{contract_id}/plan-changes"): ("changePlan", "Change a contract's plan"),
    ("GET", "/api/v1/contracts/{contract_id}/audit-trail"): (
        "getContractAuditTrail",
        "A contract's status and offer changes",
    ),
    ("GET", "/api/v1/contracts/{contract_id}/documents"): ("listContractDocuments", "A contract's PDFs"),
    ("GET", "/api/v1/contracts/{contract_id}/documents/{document_id}"): (
        "downloadContractDocument",
        "Download a contract PDF",
    ),
    # subscribers
    ("GET", "/api/v1/subscribers"): ("listSubscribers", "Search subscriber lines"),
    ("GET", "/api/v1/subscribers/{subscriber_id}"): ("getSubscriber", "One subscriber line"),
    ("POST", "/api/v1/subscribers/{subscriber_id}/status"): (
        "changeSubscriberStatus",
        "Change a subscriber line's status",
    ),
    # billing and invoices
    ("GET", "/api/v1/billing-runs"): ("listBillingRuns", "Billing runs, newest first"),
    ("POST", "/api/v1/billing-runs"): ("runBilling", "Start, resume or preview (dry run) a period's billing"),
    ("GET", "/api/v1/billing-runs/{run_id}"): ("getBillingRun", "One billing run and its progress"),
    ("GET", "/api/v1/invoices"): ("listInvoices", "Search invoices"),
    ("GET", "/api/v1/invoices/{invoice_id}"): ("getInvoice", "One invoice with its lines"),
    ("GET", "/api/v1/invoices/{invoice_id}/pdf"): ("downloadInvoicePdf", "An invoice's PDF"),
    ("POST", "/api/v1/invoices/{invoice_id}/credit-notes"): (
        "issueCreditNote",
        "Credit an invoice, fully or per line",
    ),
    ("GET", "/api/v1/credit-notes"): ("listCreditNotes", "Search credit notes"),
    ("GET", "/api/v1/credit-notes/{credit_note_id}"): ("getCreditNote", "One credit note"),
    ("GET", "/api/v1/credit-notes/{credit_note_id}/pdf"): ("downloadCreditNotePdf", "A credit note's PDF"),
    ("GET", "/api/v1/documents/verify"): (
        "verifyDocument",
        "Whether an invoice or credit note was issued as it is",
    ),
    ("GET", "/api/v1/clients/{client_id}/statements/{month}"): (
        "downloadClientStatement",
        "A client's statement for a month (PDF)",
    ),
    ("GET", "/api/v1/discounts"): ("listDiscounts", "Search discounts"),
    ("POST", "/api/v1/discounts"): ("grantDiscount", "Grant a discount on a contract or a client"),
    ("GET", "/api/v1/discounts/{discount_id}"): ("getDiscount", "One discount"),
    ("POST", "/api/v1/discounts/{discount_id}/end"): ("endDiscount", "End a discount"),
    # payments
    ("GET", "/api/v1/payments"): ("listPayments", "Search payments"),
    ("POST", "/api/v1/payments"): ("recordPayment", "Record a payment"),
    ("GET", "/api/v1/payments/{payment_id}"): ("getPayment", "One payment and its allocations"),
    ("POST", "/api/v1/payments/{payment_id}/reversal"): ("reversePayment", "Reverse a payment"),
    ("POST", "/api/v1/payment-batches"): ("recordPaymentBatch", "Record a bank statement's payments"),
    ("POST", "/api/v1/invoices/{invoice_id}/mark-paid"): ("markInvoicePaid", "Pay an invoice's open balance"),
    # collections
    ("GET", "/api/v1/aging"): ("getAging", "Receivables by days past due"),
    ("GET", "/api/v1/collection-cases"): ("listCollectionCases", "Search collection cases"),
    ("GET", "/api/v1/collection-cases/{case_id}"): (
        "getCollectionCase",
        "One collection case and its history",
    ),
    ("POST", "/api/v1/collection-cases/{case_id}/actions"): (
        "recordCollectionAction",
        "Record a collection action",
    ),
    ("POST", "/api/v1/collection-cases/{case_id}/write-off"): ("writeOffCollectionCase", "Write a case off"),
    ("POST", "/api/v1/collections/sweeps"): ("runCollectionsSweep", "Run the day's collections sweep"),
    # audit
    ("GET", "/api/v1/event-history/{aggregate_id}"): ("getEventHistory", "Every event of one aggregate"),
    ("GET", "/api/v1/event-history/{aggregate_id}/state"): ("getStateAt", "An aggregate's state at a moment"),
    ("GET", "/api/v1/access-refusals"): ("listAccessRefusals", "Refused privileged actions"),
    # operations
    ("GET", "/api/v1/dead-letters"): ("listDeadLetters", "Events a read model parked"),
    ("POST", "/api/v1/dead-letters/{dead_letter_id}/retry"): ("retryDeadLetter", "Apply parked events again"),
    ("POST", "/api/v1/dead-letters/{dead_letter_id}/discard"): (
        "discardDeadLetter",
        "Give up on a parked event",
    ),
    # self-service
    ("GET", "/api/v1/landing/bootstrap"): ("getLandingBootstrap", "Services and the offers on sale"),
    ("POST", "/api/v1/landing/drafts"): ("saveNewDraft", "Save a new subscription draft"),
    ("GET", "/api/v1/landing/draft"): ("restoreDraft", "Restore a draft by its token"),
    ("PUT", "/api/v1/landing/draft"): ("saveDraft", "Save over a draft"),
    ("DELETE", "/api/v1/landing/draft"): ("discardDraft", "Discard a draft"),
    ("POST", "/api/v1/landing/draft/number"): (
        "holdDraftNumber",
        "Hold the number a new line would get, for a draft",
    ),
    ("POST", "/api/v1/landing/subscriptions/preview"): ("previewSubscription", "Preview a subscription"),
    ("POST", "/api/v1/landing/subscriptions"): ("submitSubscription", "Subscribe, or change a line's plan"),
    ("POST", "/api/v1/landing/verifications"): (
        "requestVerificationCode",
        "Send a one-time code to a number on file",
    ),
    ("POST", "/api/v1/landing/verifications/{challenge_id}/code"): (
        "answerVerificationCode",
        "Answer the one-time code for a visitor token",
    ),
    ("GET", "/api/v1/landing/me/contracts"): ("listMyContracts", "The visitor's contracts and plan options"),
    ("POST", "/api/v1/landing/me/contracts/{contract_id}/plan-changes/preview"): (
        "previewMyPlanChange",
        "Preview a plan change",
    ),
    ("POST", "/api/v1/landing/me/contracts/{contract_id}/plan-changes"): (
        "changeMyPlan",
        "Change one of the visitor's plans",
    ),
    ("GET", "/api/v1/landing/me/invoices"): ("listMyInvoices", "The visitor's invoices"),
    ("GET", "/api/v1/landing/me/invoices/{invoice_id}/pdf"): (
        "downloadMyInvoicePdf",
        "One of the visitor's invoice PDFs",
    ),
    ("GET", "/api/v1/landing/me/credit-notes"): ("listMyCreditNotes", "The visitor's credit notes"),
    ("GET", "/api/v1/landing/me/statements/{month}"): (
        "downloadMyStatement",
        "The visitor's statement for a month (PDF)",
    ),
    ("GET", "/api/v1/landing/me/credit-notes/{credit_note_id}/pdf"): (
        "downloadMyCreditNotePdf",
        "One of the visitor's credit note PDFs",
    ),
    ("GET", "/api/v1/landing/contracts/{contract_id}/document"): (
        "downloadMyContractDocument",
        "A subscriber's contract PDF",
    ),
}

TAGS = [
    {"name": "health", "description": "Liveness and readiness, for load balancers and orchestrators."},
    {
        "name": "access",
        "description": "What the calling key is: its role and scopes, so a front end shows only what it may do.",
    },
    {
        "name": "clients",
        "description": "Clients (CIN, name, contact details) and their status. Personal data is masked in lists.",
    },
    {
        "name": "offers",
        "description": "The catalog: offers per service, family and tier, each update a new version.",
    },
    {
        "name": "contracts",
        "description": "Provisioning (a new line or a plan change), the contract lifecycle, its audit trail and PDFs.",
    },
    {
        "name": "subscribers",
        "description": "Service lines (numbers). Provisioning creates them; these are read and admin endpoints.",
    },
    {"name": "billing", "description": "Billing runs per period: idempotent, resumable, with a dry run."},
    {"name": "invoices", "description": "Issued invoices, their PDFs, and credit notes."},
    {
        "name": "discounts",
        "description": "Percent or fixed discounts on a contract's or a client's recurring fees.",
    },
    {
        "name": "payments",
        "description": "Payments, their allocation to invoices, reversals, bank statements and client balances.",
    },
    {
        "name": "collections",
        "description": "Aging by days past due, collection cases and their actions, the daily sweep.",
    },
    {
        "name": "audit",
        "description": "For auditors: any aggregate's recorded events, its state at a moment, refused actions.",
    },
    {
        "name": "operations",
        "description": "For admins: the events a read model could not apply (dead letters), retried or discarded.",
    },
    {
        "name": "self-service",
        "description": "The public landing: subscription, identity verification, the visitor's own space.",
    },
]


def name_operations(app: FastAPI) -> None:
    """Gives every route its operationId and summary from the table, and documents the roles a key needs to call it
    (`x-roles`, read from the same `allow()` that answers 403); a route missing from the table stops the start."""
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            if (method, route.path) not in OPERATIONS:
                raise RuntimeError(
                    f"{method} {route.path} has no operationId: add it to gateways/operations.py"
                )
            route.operation_id, route.summary = OPERATIONS[(method, route.path)]
        if (roles := roles_of(route)) is not None:
            route.openapi_extra = {**(route.openapi_extra or {}), "x-roles": list(roles)}


def roles_of(route: APIRoute) -> tuple[str, ...] | None:
    """The roles whose keys may call the route; None when no key is asked for (public, or a visitor's token)."""
    return next((d.call.roles for d in route.dependant.dependencies if hasattr(d.call, "roles")), None)
