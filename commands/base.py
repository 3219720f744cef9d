from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from domain.period import PERIOD_REGEX

PeriodText = Annotated[str, StringConstraints(pattern=PERIOD_REGEX)]  # a calendar month, YYYY-MM


class Command(BaseModel):
    """A command message. Unknown fields are refused: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(frozen=True)
class CommandResult:
    id: UUID
    position: int
