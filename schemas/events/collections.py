"""Payloads of mtf.collections.v1 and mtf.collection_case.v1 events.

Downstream systems act on mtf.collections.v1: `PaymentReminderDue` (SMS, mail), `PaymentWarningDue`
(formal notice), `ClientMarkedDelinquent` (service suspension) and `ClientDelinquencyCleared`.
Each is emitted once per threshold crossing in an overdue episode.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from schemas.events.base import EventPayload


class ClientCollectionsOpenedV1(EventPayload):
    client_id: UUID


class CrossingV1(EventPayload):
    client_id: UUID
    as_of: date
    days_past_due: int
    overdue: Decimal


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
    overdue: Decimal


class CollectionActionRecordedV1(EventPayload):
    kind: Literal["reminder_sent", "call_logged", "promise_to_pay", "suspension_requested"]
    on: date
    note: str | None
    promise_date: date | None
    promise_amount: Decimal | None


class CollectionPromiseBrokenV1(EventPayload):
    on: date
    promise_date: date
    overdue: Decimal


class CollectionCaseResolvedV1(EventPayload):
    on: date


class CollectionCaseWrittenOffV1(EventPayload):
    on: date
    reason: str
