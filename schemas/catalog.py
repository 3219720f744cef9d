"""The event catalog: every event type, its topic and its payload schema version.

Keyed by the event store's class topic, so a stored event maps to exactly one public type. Each
payload module (schemas/events/) says which events it publishes (its PUBLISHED), and every such module is
gathered here without being listed; the events that stay in the event store (uniqueness markers, number
series) are listed here.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from eventsourcing.utils import get_topic

import schemas.events
from domain.markers import CinRegistration, IdempotencyRecord, NumberReservation, OfferUsageMarker
from domain.number_series import NumberSeries
from schemas.events.base import EventPayload


@dataclass(frozen=True)
class EventSpec:
    aggregate: str
    name: str
    version: int
    payload: type[EventPayload] | None
    public: bool = True  # internal events (uniqueness markers) stay in the event store
    event: type | None = None  # the domain event class: its upcasters read an older version as this one
    # Earlier versions' payloads, (version, payload): messages published before the current version are on
    # the topics still, and their schemas stay published.
    earlier: tuple[tuple[int, type[EventPayload]], ...] = ()

    @property
    def type(self) -> str:
        return f"mtf.{self.aggregate}.{self.name}"

    @property
    def dataschema(self) -> str:
        return self.dataschema_of(self.version)

    def dataschema_of(self, version: int) -> str:
        return f"urn:mtf:schema:{self.aggregate}.{self.name}:v{version}"

    def versions(self) -> list[tuple[int, type[EventPayload]]]:
        """Every published version's payload, the current one last."""
        return [*self.earlier, (self.version, self.payload)]


def _published_by(module: ModuleType) -> list[tuple[str, EventSpec]]:
    """Each event a payload module publishes (its PUBLISHED), keyed by the topic the event store writes; with
    the payloads of its earlier versions (the module's EARLIER), whose messages are on the topics still."""
    earlier = getattr(module, "EARLIER", {})
    return [
        (
            get_topic(event),
            EventSpec(
                aggregate,
                event.__name__,
                _version(event),
                payload,
                event=event,
                earlier=tuple(sorted(earlier.get(event, {}).items())),
            ),
        )
        for event, (aggregate, payload) in module.PUBLISHED.items()
    ]


def _version(event: type) -> int:
    """An event's current version: 1, or its `class_version` once it has upcasters from earlier ones."""
    return getattr(event, "class_version", 1)


def payload_modules() -> list[ModuleType]:
    """Every module of schemas/events/ that publishes events (has a PUBLISHED), in name order."""
    named = (f"schemas.events.{m.name}" for m in pkgutil.iter_modules(schemas.events.__path__))
    return [module for module in map(importlib.import_module, named) if hasattr(module, "PUBLISHED")]


def _internal(aggregate: str, event: type) -> tuple[str, EventSpec]:
    """An event that stays in the event store (a uniqueness marker, a number series)."""
    return get_topic(event), EventSpec(aggregate, event.__name__, 1, None, public=False)


EVENTS: dict[str, EventSpec] = dict(
    [
        *(entry for module in payload_modules() for entry in _published_by(module)),
        _internal("cin_registration", CinRegistration.CinRegistered),
        _internal("cin_registration", CinRegistration.CinReleased),
        _internal("cin_registration", CinRegistration.CinRegisteredAgain),
        _internal("number", NumberReservation.NumberReserved),
        _internal("idempotency", IdempotencyRecord.IdempotentRequestRecorded),
        _internal("number", NumberReservation.NumberReservedAgain),
        _internal("number", NumberReservation.NumberReleased),
        _internal("number", NumberReservation.NumberHeld),
        _internal("number", NumberReservation.NumberHeldAgain),
        _internal("number", NumberReservation.NumberHoldReleased),
        _internal("offer_usage", OfferUsageMarker.OfferUsageMarked),
        _internal("number_series", NumberSeries.NumberSeriesOpened),
        _internal("number_series", NumberSeries.NumbersAllocated),
    ]
)

BY_TYPE: dict[str, EventSpec] = {spec.type: spec for spec in EVENTS.values()}

AGGREGATES: tuple[str, ...] = tuple(sorted({spec.aggregate for spec in EVENTS.values() if spec.public}))


def spec_for_stored_topic(topic: str) -> EventSpec:
    try:
        return EVENTS[topic]
    except KeyError:
        raise LookupError(f"event {topic} has no entry in schemas/catalog.py") from None
