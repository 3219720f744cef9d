"""The journeys docs/api-process-map.pdf walks through: who does what, in which order, and why, each step one
operation of the API (its curl comes from the guides, see infra/pdf/api_docs.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    title: str
    operation_id: str
    why: str


@dataclass(frozen=True)
class Journey:
    title: str
    who: str
    steps: tuple[Step, ...]


JOURNEYS = (
    Journey(
        "From a new customer to a paid month",
        "The billing team, with operator and admin keys.",
        (
            Step(
                "Put an offer on sale",
                "createOffer",
                "An admin creates the offer: service, family, monthly fee HT, activation fee and "
                "components. Each later change is a new version; contracts keep theirs.",
            ),
            Step(
                "Register the customer",
                "registerClient",
                "CIN, name, contact details, the documents' language (fr or ar) and, for a "
                "business, its ICE. The CIN is unique.",
            ),
            Step(
                "Provision a line",
                "provisionContract",
                "A new contract on the offer: the line gets a number (or keeps one), the "
                "contract sheet is issued in the same append.",
            ),
            Step(
                "Read your own write",
                "getContract",
                "Queries read the projections; pass the command's position as consistency_token.",
            ),
            Step(
                "Bill the month",
                "runBilling",
                "One run per period, resumable; every active contract is billed, prorated by day.",
            ),
            Step("Follow the run", "getBillingRun", "Progress of issuing and of the PDFs, then the totals."),
            Step("Find the invoice", "listInvoices", "By client, period, status or run."),
            Step(
                "Download its PDF",
                "downloadInvoicePdf",
                "The invoice in French (Arabic labels for an Arabic-speaking client), with its QR code.",
            ),
            Step(
                "Record the payment",
                "recordPayment",
                "Allocated to the named invoice, else the oldest due first; the rest becomes credit.",
            ),
            Step(
                "Correct an invoice",
                "issueCreditNote",
                "A full or per-line credit note, with its own number series and PDF.",
            ),
            Step(
                "Send the statement",
                "downloadClientStatement",
                "What was billed, credited and paid in a month, and what is owed.",
            ),
        ),
    ),
    Journey(
        "Collections",
        "The billing team, every day.",
        (
            Step(
                "Run the daily sweep",
                "runCollectionsSweep",
                "Reminders, warnings, cases and delinquency, by days past due.",
            ),
            Step(
                "See the aging", "getAging", "Amounts owed by days past due, for the portfolio or one client."
            ),
            Step(
                "Work a case",
                "recordCollectionAction",
                "A call, a letter or a promise to pay; a broken promise reopens the case.",
            ),
        ),
    ),
    Journey(
        "A newcomer subscribes on the site",
        "A visitor of the public self-service site; no key.",
        (
            Step(
                "See what is on sale",
                "getLandingBootstrap",
                "Services, the offers on sale today, the commitments and the dates allowed.",
            ),
            Step(
                "Save a draft", "saveNewDraft", "Whatever was entered so far; the token is the only way back."
            ),
            Step(
                "See the line's number",
                "holdDraftNumber",
                "The number is held for the draft, so the contract gets the number shown.",
            ),
            Step(
                "Preview",
                "previewSubscription",
                "Everything checked that can be without saying whether the CIN is on file.",
            ),
            Step(
                "Subscribe",
                "submitSubscription",
                "With an Idempotency-Key and the draft's token: a new line on the number shown.",
            ),
            Step(
                "Download the contract",
                "downloadMyContractDocument",
                "With the document token the answer carries.",
            ),
        ),
    ),
    Journey(
        "A customer changes plan and reads their invoices",
        "A customer on the site, after a one-time code by SMS.",
        (
            Step(
                "Ask for a code",
                "requestVerificationCode",
                "CIN and a mobile number on file; the answer never says whether they match.",
            ),
            Step(
                "Answer the code",
                "answerVerificationCode",
                "Six digits, five minutes, five tries: a visitor token for that client.",
            ),
            Step(
                "See my contracts", "listMyContracts", "Active contracts with the plan changes open to each."
            ),
            Step("Preview the change", "previewMyPlanChange", "Before and after, by the contract rules."),
            Step(
                "Change the plan",
                "changeMyPlan",
                "With an Idempotency-Key; the new contract sheet is issued.",
            ),
            Step("Download an invoice", "downloadMyInvoicePdf", "The visitor's own invoices only."),
            Step(
                "Download my statement",
                "downloadMyStatement",
                "What I was billed and paid in a month, and what I owe.",
            ),
        ),
    ),
    Journey(
        "An auditor or a tax inspector checks",
        "An auditor key; the verification needs none.",
        (
            Step("Read the history", "getEventHistory", "Every recorded event of one aggregate, in order."),
            Step("See a past state", "getStateAt", "The aggregate as it stood at a moment."),
            Step(
                "Verify a document",
                "verifyDocument",
                "From the QR code: was this number issued with this fingerprint, and when.",
            ),
        ),
    ),
)
