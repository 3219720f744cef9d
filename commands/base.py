from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Command(BaseModel):
    """A command message. Unknown fields are refused: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(frozen=True)
class CommandResult:
    id: UUID
    position: int
