"""The event catalog: every published event type, its topic and its payload schema version.

Keyed by the event store's class topic, so a stored event maps to exactly one public type.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.utils import get_topic

from domain.access import AccessRefusal
from domain.billing_run import BillingRun
from domain.client import Client
from domain.collections import ClientCollections, CollectionCase, CollectionsSweep
from domain.contract import Contract
from domain.discount import Discount
from domain.invoice import CreditNote, Invoice
from domain.markers import CinRegistration, IdempotencyRecord, NumberReservation, OfferUsageMarker
from domain.number_series import NumberSeries
from domain.offer import Offer
from domain.payments import ClientAccount, Payment
from domain.subscriber import Subscriber
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


def _published(aggregate: str, event: type, payload: type[EventPayload], version: int = 1) -> tuple[str, EventSpec]:
    """The event's stored topic (derived from its class, as the event store writes it) and its public type."""
    return get_topic(event), EventSpec(aggregate, event.__name__, version, payload)


def _internal(aggregate: str, event: type) -> tuple[str, EventSpec]:
    """An event that stays in the event store (a uniqueness marker, a number series)."""
    return get_topic(event), EventSpec(aggregate, event.__name__, 1, None, public=False)


EVENTS: dict[str, EventSpec] = dict([
    _published("client", Client.ClientRegistered, client.ClientRegisteredV1),
    _published("client", Client.ClientDetailsUpdated, client.ClientDetailsUpdatedV1),
    _published("client", Client.ClientStatusChanged, client.ClientStatusChangedV1),
    _published("client", Client.ClientContractAdded, client.ClientContractAddedV1),
    _published("client", Client.ClientErased, client.ClientErasedV1),
    _published("offer", Offer.OfferCreated, offer.OfferCreatedV1),
    _published("offer", Offer.OfferUpdated, offer.OfferUpdatedV1),
    _published("offer", Offer.OfferRetired, offer.OfferRetiredV1),
    _published("offer", Offer.OfferDeleted, offer.OfferDeletedV1),
    _published("subscriber", Subscriber.SubscriberCreated, subscriber.SubscriberCreatedV1),
    _published("subscriber", Subscriber.SubscriberStatusChanged, subscriber.SubscriberStatusChangedV1),
    _published("access", AccessRefusal.PrivilegedActionRefused, access.PrivilegedActionRefusedV1),
    _internal("cin_registration", CinRegistration.CinRegistered),
    _internal("number", NumberReservation.NumberReserved),
    _internal("idempotency", IdempotencyRecord.IdempotentRequestRecorded),
    _internal("number", NumberReservation.NumberReservedAgain),
    _internal("number", NumberReservation.NumberReleased),
    _internal("number", NumberReservation.NumberHeld),
    _internal("number", NumberReservation.NumberHeldAgain),
    _internal("number", NumberReservation.NumberHoldReleased),
    _internal("offer_usage", OfferUsageMarker.OfferUsageMarked),
    _published("contract", Contract.ContractProvisioned, contract.ContractProvisionedV1),
    _published("contract", Contract.ContractActivated, contract.ContractActivatedV1),
    _published("contract", Contract.ContractSuspended, contract.ContractSuspendedV1),
    _published("contract", Contract.ContractResumed, contract.ContractResumedV1),
    _published("contract", Contract.ContractTerminated, contract.ContractTerminatedV1),
    _published("contract", Contract.ContractDocumentIssued, contract.ContractDocumentIssuedV1),
    _published("contract", Contract.ContractPlanChanged, contract.ContractPlanChangedV1),
    _published("billing_run", BillingRun.BillingRunStarted, billing.BillingRunStartedV1),
    _published("billing_run", BillingRun.BillingRunProgressed, billing.BillingRunProgressedV1),
    _published("billing_run", BillingRun.BillingRunIssued, billing.BillingRunIssuedV1),
    _published("billing_run", BillingRun.BillingRunCompleted, billing.BillingRunCompletedV1),
    _published("invoice", Invoice.InvoiceIssued, billing.InvoiceIssuedV1),
    _published("invoice", Invoice.InvoiceCredited, billing.InvoiceCreditedV1),
    _published("invoice", Invoice.InvoiceDocumentIssued, billing.InvoiceDocumentIssuedV1),
    _published("invoice", Invoice.PaymentAllocated, billing.PaymentAllocatedV1),
    _published("invoice", Invoice.CreditApplied, billing.CreditAppliedV1),
    _published("invoice", Invoice.AllocationReversed, billing.AllocationReversedV1),
    _published("invoice", Invoice.CreditApplicationReversed, billing.CreditApplicationReversedV1),
    _published("payment", Payment.PaymentReceived, billing.PaymentReceivedV1),
    _published("payment", Payment.PaymentReversed, billing.PaymentReversedV1),
    _published("client_account", ClientAccount.ClientAccountOpened, billing.ClientAccountOpenedV1),
    _published("client_account", ClientAccount.ClientCreditAdded, billing.ClientCreditAddedV1),
    _published("client_account", ClientAccount.ClientCreditUsed, billing.ClientCreditUsedV1),
    _published("client_account", ClientAccount.ClientCreditWithdrawn, billing.ClientCreditWithdrawnV1),
    _published("client_account", ClientAccount.ClientCreditUseReversed, billing.ClientCreditUseReversedV1),
    _published("credit_note", CreditNote.CreditNoteIssued, billing.CreditNoteIssuedV1),
    _published("credit_note", CreditNote.CreditNoteDocumentIssued, billing.CreditNoteDocumentIssuedV1),
    _published("discount", Discount.DiscountGranted, billing.DiscountGrantedV1),
    _published("discount", Discount.DiscountEnded, billing.DiscountEndedV1),
    _published("collections", ClientCollections.ClientCollectionsOpened, collections.ClientCollectionsOpenedV1),
    _published("collections", ClientCollections.PaymentReminderDue, collections.CrossingV1),
    _published("collections", ClientCollections.PaymentWarningDue, collections.CrossingV1),
    _published("collections", ClientCollections.ClientMarkedDelinquent, collections.CrossingV1),
    _published("collections", ClientCollections.ClientDelinquencyCleared, collections.ClientDelinquencyClearedV1),
    _published("collections", ClientCollections.CollectionCaseAttached, collections.CollectionCaseAttachedV1),
    _published("collections", ClientCollections.CollectionsEpisodeClosed, collections.CollectionsEpisodeClosedV1),
    _published("collections_sweep", CollectionsSweep.CollectionsSweepCompleted, collections.CollectionsSweepCompletedV1),
    _published("collection_case", CollectionCase.CollectionCaseOpened, collections.CollectionCaseOpenedV1),
    _published("collection_case", CollectionCase.CollectionActionRecorded, collections.CollectionActionRecordedV1),
    _published("collection_case", CollectionCase.CollectionPromiseBroken, collections.CollectionPromiseBrokenV1),
    _published("collection_case", CollectionCase.CollectionCaseResolved, collections.CollectionCaseResolvedV1),
    _published("collection_case", CollectionCase.CollectionCaseWrittenOff, collections.CollectionCaseWrittenOffV1),
    _internal("number_series", NumberSeries.NumberSeriesOpened),
    _internal("number_series", NumberSeries.NumbersAllocated),
])

BY_TYPE: dict[str, EventSpec] = {spec.type: spec for spec in EVENTS.values()}

AGGREGATES: tuple[str, ...] = tuple(sorted({spec.aggregate for spec in EVENTS.values() if spec.public}))


def spec_for_stored_topic(topic: str) -> EventSpec:
    try:
        return EVENTS[topic]
    except KeyError:
        raise LookupError(f"event {topic} has no entry in schemas/catalog.py") from None
