from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidTransition, RuleViolation
from domain.offer import Offer


def make(**overrides):
    terms = {"name": "Fibre 100", "service": "internet", "monthly_fee": Decimal("349"), "activation_fee": Decimal("0"), "components": {}}
    terms.update(overrides)
    return Offer.create(**terms)


def test_fees_are_stored_as_two_place_decimals():
    offer = make(monthly_fee=Decimal("349.005"))
    assert offer.monthly_fee == Decimal("349.01")  # half-up
    assert str(offer.activation_fee) == "0.00"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": "  "}, "offer_name_required"),
        ({"service": "tv"}, "unknown_service"),
        ({"monthly_fee": Decimal("0")}, "monthly_fee_not_positive"),
        ({"activation_fee": Decimal("-1")}, "activation_fee_negative"),
    ],
)
def test_invalid_terms_are_refused(overrides, code):
    with pytest.raises(RuleViolation) as refused:
        make(**overrides)
    assert refused.value.code == code


def test_retired_offer_is_not_sellable_and_cannot_retire_twice():
    offer = make()
    offer.retire()
    assert not offer.is_sellable
    with pytest.raises(InvalidTransition):
        offer.retire()
