"""Which event fields are a person's personal data, and whose.

The event store seals these fields with the person's own data key (infra/eventstore/personal_data.py);
destroying the key erases them from every stored event at once. Everything else in an event (ids,
amounts, dates, statuses) stays readable for ever: that is what keeps the financial history whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from eventsourcing.utils import get_topic

from domain.client import Client
from domain.errors import Conflict
from domain.markers import CinRegistration

ERASED = "[erased]"  # what a sealed text field reads as once its key is destroyed


@dataclass(frozen=True)
class PersonalFields:
    fields: tuple[str, ...]
    subject: str = "originator_id"  # the event attribute naming the client the data belongs to
    erased: object = ERASED  # what each field reads as once erased


CLIENT_DETAILS = ("full_name", "email", "address", "phone")

PERSONAL: dict[type, PersonalFields] = {
    Client.ClientRegistered: PersonalFields(("cin", *CLIENT_DETAILS)),
    Client.ClientDetailsUpdated: PersonalFields(CLIENT_DETAILS),
    # The marker's id derives from the CIN; the link to its client is sealed, so that once the client
    # is erased nobody can tell which client a CIN belonged to by hashing candidate CINs.
    CinRegistration.CinRegistered: PersonalFields(("client_id",), subject="client_id", erased=None),
    CinRegistration.CinRegisteredAgain: PersonalFields(("client_id",), subject="client_id", erased=None),
}


@cache
def _by_topic() -> dict[str, PersonalFields]:
    return {get_topic(event): fields for event, fields in PERSONAL.items()}


def personal_fields_of(stored_topic: str) -> PersonalFields | None:
    """The personal fields of the events stored under this topic, if they have any."""
    return _by_topic().get(stored_topic)


def require_erasable(
    *,
    has_history: bool,
    closed: bool,
    active_contracts: list[str],
    last_activity: date,
    today: date,
    retention_days: int,
) -> None:
    """Whether a client may be erased today. Without history (no contract, no payment) at once; with history,
    once it is closed, every contract terminated, and the retention period has run since its last activity
    (the latest event on the client, its contracts, its account or its invoices)."""
    if not has_history:
        return
    if not closed:
        raise Conflict("close the client before erasing it", code="client_not_closed")
    if active_contracts:
        raise Conflict(
            "terminate every contract before erasing the client",
            code="contracts_not_terminated",
            contracts=active_contracts,
        )
    erasable_from = last_activity + timedelta(days=retention_days)
    if today < erasable_from:
        raise Conflict(
            "the client's records are within their retention period",
            code="retention_not_over",
            erasable_from=erasable_from.isoformat(),
            last_activity=last_activity.isoformat(),
        )
