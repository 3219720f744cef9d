"""The event catalog: every published event type, its topic and its payload schema version.

Keyed by the event store's class topic, so a stored event maps to exactly one public type.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.events import access, billing, client, collections, contract, offer, subscriber
from schemas.events.base import EventPayload


@dataclass(frozen=True)
class EventSpec:
    aggregate: str
    name: str
    version: int
    payload: type[EventPayload] | None
    public: bool = True  # internal events (uniqueness markers) stay in the event store

    @property
    def type(self) -> str:
        return f"mtf.{self.aggregate}.{self.name}"

    @property
    def dataschema(self) -> str:
        return f"urn:mtf:schema:{self.aggregate}.{self.name}:v{self.version}"


def _spec(aggregate: str, name: str, payload: type[EventPayload], version: int = 1) -> EventSpec:
    return EventSpec(aggregate, name, version, payload)


def _internal(aggregate: str, name: str) -> EventSpec:
    return EventSpec(aggregate, name, 1, None, public=False)


EVENTS: dict[str, EventSpec] = {
    "domain.client:Client.ClientRegistered": _spec("client", "ClientRegistered", client.ClientRegisteredV1),
    "domain.client:Client.ClientDetailsUpdated": _spec("client", "ClientDetailsUpdated", client.ClientDetailsUpdatedV1),
    "domain.client:Client.ClientStatusChanged": _spec("client", "ClientStatusChanged", client.ClientStatusChangedV1),
    "domain.client:Client.ClientContractAdded": _spec("client", "ClientContractAdded", client.ClientContractAddedV1),
    "domain.client:Client.ClientErased": _spec("client", "ClientErased", client.ClientErasedV1),
    "domain.offer:Offer.OfferCreated": _spec("offer", "OfferCreated", offer.OfferCreatedV1),
    "domain.offer:Offer.OfferUpdated": _spec("offer", "OfferUpdated", offer.OfferUpdatedV1),
    "domain.offer:Offer.OfferRetired": _spec("offer", "OfferRetired", offer.OfferRetiredV1),
    "domain.offer:Offer.OfferDeleted": _spec("offer", "OfferDeleted", offer.OfferDeletedV1),
    "domain.subscriber:Subscriber.SubscriberCreated": _spec("subscriber", "SubscriberCreated", subscriber.SubscriberCreatedV1),
    "domain.subscriber:Subscriber.SubscriberStatusChanged": _spec(
        "subscriber", "SubscriberStatusChanged", subscriber.SubscriberStatusChangedV1
    ),
    "domain.access:AccessRefusal.PrivilegedActionRefused": _spec("access", "PrivilegedActionRefused", access.PrivilegedActionRefusedV1),
    "domain.markers:CinRegistration.CinRegistered": _internal("cin_registration", "CinRegistered"),
    "domain.markers:NumberReservation.NumberReserved": _internal("number", "NumberReserved"),
    "domain.markers:IdempotencyRecord.IdempotentRequestRecorded": _internal("idempotency", "IdempotentRequestRecorded"),
    "domain.markers:NumberReservation.NumberReservedAgain": _internal("number", "NumberReservedAgain"),
    "domain.markers:NumberReservation.NumberReleased": _internal("number", "NumberReleased"),
    "domain.markers:NumberReservation.NumberHeld": _internal("number", "NumberHeld"),
    "domain.markers:NumberReservation.NumberHeldAgain": _internal("number", "NumberHeldAgain"),
    "domain.markers:NumberReservation.NumberHoldReleased": _internal("number", "NumberHoldReleased"),
    "domain.markers:OfferUsageMarker.OfferUsageMarked": _internal("offer_usage", "OfferUsageMarked"),
    "domain.contract:Contract.ContractProvisioned": _spec(
        "contract", "ContractProvisioned", contract.ContractProvisionedV1
    ),
    "domain.contract:Contract.ContractActivated": _spec("contract", "ContractActivated", contract.ContractActivatedV1),
    "domain.contract:Contract.ContractSuspended": _spec("contract", "ContractSuspended", contract.ContractSuspendedV1),
    "domain.contract:Contract.ContractResumed": _spec("contract", "ContractResumed", contract.ContractResumedV1),
    "domain.contract:Contract.ContractTerminated": _spec(
        "contract", "ContractTerminated", contract.ContractTerminatedV1
    ),
    "domain.contract:Contract.ContractDocumentIssued": _spec(
        "contract", "ContractDocumentIssued", contract.ContractDocumentIssuedV1
    ),
    "domain.contract:Contract.ContractPlanChanged": _spec(
        "contract", "ContractPlanChanged", contract.ContractPlanChangedV1
    ),
    "domain.billing_run:BillingRun.BillingRunStarted": _spec("billing_run", "BillingRunStarted", billing.BillingRunStartedV1),
    "domain.billing_run:BillingRun.BillingRunProgressed": _spec("billing_run", "BillingRunProgressed", billing.BillingRunProgressedV1),
    "domain.billing_run:BillingRun.BillingRunIssued": _spec("billing_run", "BillingRunIssued", billing.BillingRunIssuedV1),
    "domain.billing_run:BillingRun.BillingRunCompleted": _spec("billing_run", "BillingRunCompleted", billing.BillingRunCompletedV1),
    "domain.invoice:Invoice.InvoiceIssued": _spec("invoice", "InvoiceIssued", billing.InvoiceIssuedV1),
    "domain.invoice:Invoice.InvoiceCredited": _spec("invoice", "InvoiceCredited", billing.InvoiceCreditedV1),
    "domain.invoice:Invoice.InvoiceDocumentIssued": _spec("invoice", "InvoiceDocumentIssued", billing.InvoiceDocumentIssuedV1),
    "domain.invoice:Invoice.PaymentAllocated": _spec("invoice", "PaymentAllocated", billing.PaymentAllocatedV1),
    "domain.invoice:Invoice.CreditApplied": _spec("invoice", "CreditApplied", billing.CreditAppliedV1),
    "domain.invoice:Invoice.AllocationReversed": _spec("invoice", "AllocationReversed", billing.AllocationReversedV1),
    "domain.invoice:Invoice.CreditApplicationReversed": _spec("invoice", "CreditApplicationReversed", billing.CreditApplicationReversedV1),
    "domain.payments:Payment.PaymentReceived": _spec("payment", "PaymentReceived", billing.PaymentReceivedV1),
    "domain.payments:Payment.PaymentReversed": _spec("payment", "PaymentReversed", billing.PaymentReversedV1),
    "domain.payments:ClientAccount.ClientAccountOpened": _spec("client_account", "ClientAccountOpened", billing.ClientAccountOpenedV1),
    "domain.payments:ClientAccount.ClientCreditAdded": _spec("client_account", "ClientCreditAdded", billing.ClientCreditAddedV1),
    "domain.payments:ClientAccount.ClientCreditUsed": _spec("client_account", "ClientCreditUsed", billing.ClientCreditUsedV1),
    "domain.payments:ClientAccount.ClientCreditWithdrawn": _spec("client_account", "ClientCreditWithdrawn", billing.ClientCreditWithdrawnV1),
    "domain.payments:ClientAccount.ClientCreditUseReversed": _spec(
        "client_account", "ClientCreditUseReversed", billing.ClientCreditUseReversedV1
    ),
    "domain.invoice:CreditNote.CreditNoteIssued": _spec("credit_note", "CreditNoteIssued", billing.CreditNoteIssuedV1),
    "domain.invoice:CreditNote.CreditNoteDocumentIssued": _spec(
        "credit_note", "CreditNoteDocumentIssued", billing.CreditNoteDocumentIssuedV1
    ),
    "domain.discount:Discount.DiscountGranted": _spec("discount", "DiscountGranted", billing.DiscountGrantedV1),
    "domain.discount:Discount.DiscountEnded": _spec("discount", "DiscountEnded", billing.DiscountEndedV1),
    "domain.collections:ClientCollections.ClientCollectionsOpened": _spec(
        "collections", "ClientCollectionsOpened", collections.ClientCollectionsOpenedV1
    ),
    "domain.collections:ClientCollections.PaymentReminderDue": _spec("collections", "PaymentReminderDue", collections.CrossingV1),
    "domain.collections:ClientCollections.PaymentWarningDue": _spec("collections", "PaymentWarningDue", collections.CrossingV1),
    "domain.collections:ClientCollections.ClientMarkedDelinquent": _spec("collections", "ClientMarkedDelinquent", collections.CrossingV1),
    "domain.collections:ClientCollections.ClientDelinquencyCleared": _spec(
        "collections", "ClientDelinquencyCleared", collections.ClientDelinquencyClearedV1
    ),
    "domain.collections:ClientCollections.CollectionCaseAttached": _spec(
        "collections", "CollectionCaseAttached", collections.CollectionCaseAttachedV1
    ),
    "domain.collections:ClientCollections.CollectionsEpisodeClosed": _spec(
        "collections", "CollectionsEpisodeClosed", collections.CollectionsEpisodeClosedV1
    ),
    "domain.collections:CollectionsSweep.CollectionsSweepCompleted": _spec(
        "collections_sweep", "CollectionsSweepCompleted", collections.CollectionsSweepCompletedV1
    ),
    "domain.collections:CollectionCase.CollectionCaseOpened": _spec("collection_case", "CollectionCaseOpened", collections.CollectionCaseOpenedV1),
    "domain.collections:CollectionCase.CollectionActionRecorded": _spec(
        "collection_case", "CollectionActionRecorded", collections.CollectionActionRecordedV1
    ),
    "domain.collections:CollectionCase.CollectionPromiseBroken": _spec(
        "collection_case", "CollectionPromiseBroken", collections.CollectionPromiseBrokenV1
    ),
    "domain.collections:CollectionCase.CollectionCaseResolved": _spec(
        "collection_case", "CollectionCaseResolved", collections.CollectionCaseResolvedV1
    ),
    "domain.collections:CollectionCase.CollectionCaseWrittenOff": _spec(
        "collection_case", "CollectionCaseWrittenOff", collections.CollectionCaseWrittenOffV1
    ),
    "domain.number_series:NumberSeries.NumberSeriesOpened": _internal("number_series", "NumberSeriesOpened"),
    "domain.number_series:NumberSeries.NumbersAllocated": _internal("number_series", "NumbersAllocated"),
}

BY_TYPE: dict[str, EventSpec] = {spec.type: spec for spec in EVENTS.values()}

AGGREGATES: tuple[str, ...] = tuple(sorted({spec.aggregate for spec in EVENTS.values() if spec.public}))


def spec_for_stored_topic(topic: str) -> EventSpec:
    try:
        return EVENTS[topic]
    except KeyError:
        raise LookupError(f"event {topic} has no entry in schemas/catalog.py") from None
