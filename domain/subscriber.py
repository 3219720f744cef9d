"""The Subscriber aggregate: one service line (a mobile or landline number) of one client."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidTransition

SUBSCRIBER_STATUSES = ("active", "suspended", "closed")


class Subscriber(Aggregate):
    @event("SubscriberCreated")
    def __init__(self, id: UUID, client_id: UUID, service: str, number: str) -> None:  # noqa: A002 - explicit id
        self.client_id = client_id
        self.service = service
        self.number = number
        self.status = "active"

    def change_status(self, status: str, reason: str) -> None:
        if status == self.status:
            raise InvalidTransition(
                f"subscriber is already {status}",
                code="subscriber_status_unchanged",
                current_status=self.status,
            )
        if self.status == "closed":
            raise InvalidTransition(
                "a closed line cannot change status", code="subscriber_closed", current_status=self.status
            )
        self._status_changed(status=status, reason=reason)

    @event("SubscriberStatusChanged")
    def _status_changed(self, status: str, reason: str) -> None:
        self.status = status
