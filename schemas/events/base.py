from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    """Base of every event payload. Unknown fields are refused so schema drift is caught in tests."""

    model_config = ConfigDict(extra="forbid", frozen=True)
