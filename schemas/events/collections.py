"""Payloads of mtf.collections.v1 and mtf.collection_case.v1 events.

Downstream systems act on mtf.collections.v1: `PaymentReminderDue` (SMS, mail), `PaymentWarningDue`
(formal notice), `ClientMarkedDelinquent` (service suspension) and `ClientDelinquencyCleared`.
Each is emitted once per threshold crossing in an overdue episode.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from domain.collections import ClientCollections, CollectionCase, CollectionsSweep
from schemas.events.base import EventPayload, Money


class ClientCollectionsOpenedV1(EventPayload):
    client_id: UUID


class CrossingV1(EventPayload):
    client_id: UUID
    as_of: date
    days_past_due: int
    overdue: Money


class ClientDelinquencyClearedV1(EventPayload):
    client_id: UUID
    as_of: date


class CollectionCaseAttachedV1(EventPayload):
    case_id: UUID


class CollectionsEpisodeClosedV1(EventPayload):
    as_of: date
    case_id: UUID | None


class CollectionsSweepCompletedV1(EventPayload):
    as_of: date
    position: int
    clients_reviewed: int
    outcomes: dict[str, int]


class CollectionCaseOpenedV1(EventPayload):
    client_id: UUID
    opened_on: date
    days_past_due: int
    overdue: Money


class CollectionActionRecordedV1(EventPayload):
    kind: Literal["reminder_sent", "call_logged", "promise_to_pay", "suspension_requested"]
    on: date
    note: str | None
    promise_date: date | None
    promise_amount: Money | None


class CollectionPromiseBrokenV1(EventPayload):
    on: date
    promise_date: date
    overdue: Money


class CollectionCaseResolvedV1(EventPayload):
    on: date


class CollectionCaseWrittenOffV1(EventPayload):
    on: date
    reason: str


# The public type of each event: its topic's aggregate name and its payload. schemas/catalog.py gathers these.
PUBLISHED: dict[type, tuple[str, type[EventPayload]]] = {
    ClientCollections.ClientCollectionsOpened: ("collections", ClientCollectionsOpenedV1),
    ClientCollections.PaymentReminderDue: ("collections", CrossingV1),
    ClientCollections.PaymentWarningDue: ("collections", CrossingV1),
    ClientCollections.ClientMarkedDelinquent: ("collections", CrossingV1),
    ClientCollections.ClientDelinquencyCleared: ("collections", ClientDelinquencyClearedV1),
    ClientCollections.CollectionCaseAttached: ("collections", CollectionCaseAttachedV1),
    ClientCollections.CollectionsEpisodeClosed: ("collections", CollectionsEpisodeClosedV1),
    CollectionsSweep.CollectionsSweepCompleted: ("collections_sweep", CollectionsSweepCompletedV1),
    CollectionCase.CollectionCaseOpened: ("collection_case", CollectionCaseOpenedV1),
    CollectionCase.CollectionActionRecorded: ("collection_case", CollectionActionRecordedV1),
    CollectionCase.CollectionPromiseBroken: ("collection_case", CollectionPromiseBrokenV1),
    CollectionCase.CollectionCaseResolved: ("collection_case", CollectionCaseResolvedV1),
    CollectionCase.CollectionCaseWrittenOff: ("collection_case", CollectionCaseWrittenOffV1),
}
