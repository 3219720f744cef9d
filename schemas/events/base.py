from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, WithJsonSchema

# Every amount, rate and quantity of an event is a decimal string on the wire ("99.00", "0.20"): never a
# JSON number, which many consumers would read as a binary float.
DecimalString = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
            "description": "A decimal number, as a string.",
        }
    ),
]
Money = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]+(\.[0-9]{1,2})?$",
            "description": "An amount in MAD, as a decimal string.",
        }
    ),
]


class EventPayload(BaseModel):
    """Base of every event payload. Unknown fields are refused so schema drift is caught in tests."""

    model_config = ConfigDict(extra="forbid", frozen=True)
