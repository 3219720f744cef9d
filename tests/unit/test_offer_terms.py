from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidTransition, RuleViolation
from domain.offer import Offer

FIBRE = [{"kind": "fiber", "mbps": 100}, {"kind": "landline"}]


def make(**overrides):
    terms = {
        "name": "Fibre 100",
        "service": "internet",
        "family": "Fiber",
        "monthly_fee": Decimal("349"),
        "activation_fee": Decimal("0"),
        "components": FIBRE,
        "valid_from": None,
        "valid_to": None,
    }
    terms.update(overrides)
    return Offer.create(**terms)


def test_every_update_is_a_new_version_and_the_service_stays():
    offer = make()
    offer.update(
        name="Fibre 200",
        family="fiber",
        monthly_fee=Decimal("449"),
        activation_fee=Decimal("0"),
        components=[{"kind": "fiber", "mbps": 200}, {"kind": "landline"}],
        valid_from=None,
        valid_to=None,
    )
    assert offer.terms_version == 2 and offer.service == "internet" and offer.monthly_fee == Decimal("449.00")
    assert offer.family == "fiber"


def test_sellable_only_when_active_and_inside_the_validity_window():
    offer = make(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    assert offer.is_sellable_on(date(2026, 6, 1))
    assert not offer.is_sellable_on(date(2025, 12, 31)) and not offer.is_sellable_on(date(2027, 1, 1))
    offer.retire()
    assert not offer.is_sellable_on(date(2026, 6, 1))


def test_inverted_window_is_refused():
    with pytest.raises(RuleViolation) as refused:
        make(valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1))
    assert refused.value.code == "validity_window_inverted"


def test_deleted_offer_cannot_change():
    offer = make()
    offer.delete()
    with pytest.raises(InvalidTransition) as refused:
        offer.retire()
    assert refused.value.code == "offer_deleted"


def test_fees_are_stored_as_two_place_decimals():
    offer = make(monthly_fee=Decimal("349.005"))
    assert offer.monthly_fee == Decimal("349.01")  # half-up
    assert str(offer.activation_fee) == "0.00"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": "  "}, "offer_name_required"),
        ({"family": " "}, "offer_family_required"),
        ({"service": "tv"}, "unknown_service"),
        ({"monthly_fee": Decimal("0")}, "monthly_fee_not_positive"),
        ({"activation_fee": Decimal("-1")}, "activation_fee_negative"),
    ],
)
def test_invalid_terms_are_refused(overrides, code):
    with pytest.raises(RuleViolation) as refused:
        make(**overrides)
    assert refused.value.code == code


def test_retired_offer_cannot_retire_twice():
    offer = make()
    offer.retire()
    with pytest.raises(InvalidTransition):
        offer.retire()
