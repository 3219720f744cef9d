"""The CloudEvents 1.0 envelope every event is published in (structured JSON mode)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SOURCE = "/mt-facturation/event-store"
CONTENT_TYPE = "application/cloudevents+json"


class CloudEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(description="Stable per (aggregate, version): a republished event keeps its id.")
    source: str = SOURCE
    type: str = Field(description="mtf.<aggregate>.<EventName>, e.g. mtf.contract.ContractProvisioned")
    subject: str = Field(description="The aggregate id; also the Kafka message key.")
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str = Field(description="urn:mtf:schema:<aggregate>.<EventName>:v<N>")
    data: dict[str, Any]

    # Extension attributes (lowercase alphanumeric, as CloudEvents requires).
    aggregatetype: str
    aggregateversion: int = Field(ge=1)
    position: int = Field(ge=1, description="Position in the event store's notification log.")
    correlationid: str
    causationid: str
    actor: str
    actorrole: str
    reason: str | None = None
    traceparent: str | None = None

    # Cached: the projector asks each event for these once per interested read model and handler.
    @cached_property
    def event_name(self) -> str:
        return self.type.rsplit(".", 1)[-1]

    @cached_property
    def aggregate_id(self) -> UUID:
        """The subject as a UUID, parsed once: the projector asks for it many times per event."""
        return UUID(self.subject)


class OpenedCloudEvent(CloudEvent):
    """A published event carrying personal fields, as this process built it from the log: `personal` keeps
    the fields it masked, in full, for this process's own read models (no second read of the store). Never
    serialised, so never on a topic; a subclass so that other events do not pay for the private field."""

    _personal: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def personal(self) -> dict[str, Any]:
        return self._personal
