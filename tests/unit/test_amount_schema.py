"""The OpenAPI document's pattern for amounts describes input the commands accept, and no more.

An integrator who builds a request from the document must not meet a 422 `validation_failed`;
pydantic alone would document any string or number as an amount."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from commands.base import AMOUNT_PATTERN, POSITIVE_AMOUNT_PATTERN, Amount, PositiveAmount
from commands.payments import RecordPayment

AMOUNT = TypeAdapter(Amount)
POSITIVE = TypeAdapter(PositiveAmount)


@given(st.from_regex(AMOUNT_PATTERN, fullmatch=True))
def test_every_amount_the_pattern_allows_is_accepted_as_written(text: str):
    assert AMOUNT.validate_python(text) == Decimal(text)


@given(st.from_regex(POSITIVE_AMOUNT_PATTERN, fullmatch=True))
def test_every_positive_amount_the_pattern_allows_is_accepted_as_written(text: str):
    assert POSITIVE.validate_python(text) == Decimal(text) > 0


@given(st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"), places=2))
def test_the_pattern_allows_every_amount_with_two_places(amount: Decimal):
    assert re.fullmatch(AMOUNT_PATTERN, f"{amount:.2f}")
    assert bool(re.fullmatch(POSITIVE_AMOUNT_PATTERN, f"{amount:.2f}")) == (amount > 0)


def test_the_document_shows_the_pattern_and_the_commands_still_refuse_what_it_excludes():
    schema = RecordPayment.model_json_schema()["properties"]["amount"]
    assert schema["type"] == "string" and schema["pattern"] == AMOUNT_PATTERN
    for refused in ("abc", "1.001", "12345678901.5"):
        try:
            AMOUNT.validate_python(refused)
        except ValidationError:
            continue
        raise AssertionError(f"{refused!r} was accepted")
    assert POSITIVE.validate_python("0.01") == Decimal("0.01")
