from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from domain.period import PERIOD_REGEX

PeriodText = Annotated[str, StringConstraints(pattern=PERIOD_REGEX)]  # a calendar month, YYYY-MM

# What an amount's input may look like, for the OpenAPI document: pydantic would document any
# string or number, though it refuses "abc", a third decimal place or a 13th digit.
AMOUNT_PATTERN = r"^[+-]?[0-9]{1,10}([.][0-9]{1,2})?$"
POSITIVE_AMOUNT_PATTERN = r"^[+]?0*([1-9][0-9]{0,9}([.][0-9]{1,2})?|0[.](0[1-9]|[1-9][0-9]?))$"
_AMOUNT_TEXT = (
    "A decimal string: at most 12 digits, 2 of them after the point (a JSON number is accepted too)."
)


def _amount_schema(pattern: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": pattern, "description": _AMOUNT_TEXT, "examples": ["99.00"]},
        mode="validation",
    )


Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2), _amount_schema(AMOUNT_PATTERN)]
PositiveAmount = Annotated[
    Decimal, Field(gt=0, max_digits=12, decimal_places=2), _amount_schema(POSITIVE_AMOUNT_PATTERN)
]


class Command(BaseModel):
    """A command message. Unknown fields are refused: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(frozen=True)
class CommandResult:
    id: UUID
    position: int


def exactly_one_of(*names: str) -> dict:
    """A model's `json_schema_extra` saying what its validator checks: exactly one of these fields
    is given, and not null. The OpenAPI document shows it as `oneOf`."""
    return {
        "oneOf": [{"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in names]
    }
