"""The plan changes a self-service visitor is offered on a contract."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from domain.self_service import plan_options

CURRENT = uuid.uuid4()


def _offer(fee: str, service: str = "mobile") -> dict:
    return {"offer_id": uuid.uuid4(), "service": service, "monthly_fee": Decimal(fee)}


def _options(start: date, commitment: int, offers: list[dict], today: date):
    """The options on a 99.00 mobile contract on the CURRENT offer."""
    return plan_options(
        service="mobile",
        offer_id=CURRENT,
        monthly_fee=Decimal("99.00"),
        start_date=start,
        commitment_months=commitment,
        offers=offers,
        today=today,
    )


def test_downgrades_open_at_the_end_of_the_commitment_and_other_services_are_left_out():
    cheap, same, dear, fiber = (
        _offer("49.00"),
        _offer("99.00"),
        _offer("199.00"),
        _offer("299.00", "internet"),
    )
    own = {**_offer("99.00"), "offer_id": CURRENT}
    options = _options(date(2026, 1, 31), 12, [cheap, same, dear, fiber, own], today=date(2026, 11, 30))
    assert [(o.offer["offer_id"], o.change, o.earliest_effective_date) for o in options] == [
        (cheap["offer_id"], "downgrade", date(2027, 1, 31)),
        (same["offer_id"], "lateral", date(2026, 11, 30)),
        (dear["offer_id"], "upgrade", date(2026, 11, 30)),
    ]


def test_after_the_commitment_a_downgrade_is_open_today_and_one_that_never_ends_is_not_offered():
    cheap = _offer("49.00")
    free = _options(date(2024, 1, 1), 24, [cheap], today=date(2026, 11, 30))
    assert [o.earliest_effective_date for o in free] == [date(2026, 11, 30)]
    endless = _options(date(9999, 6, 1), 24, [cheap, _offer("199.00")], today=date(2026, 11, 30))
    assert [o.change for o in endless] == ["upgrade"]


def test_a_downgrade_beyond_the_booking_horizon_is_not_an_option_yet():
    cheap = _offer("49.00")
    year = _options(date(2027, 3, 1), 12, [cheap], today=date(2027, 3, 1))
    assert [o.earliest_effective_date for o in year] == [date(2028, 3, 1)]
    two_years = _options(date(2026, 11, 30), 24, [cheap, _offer("199.00")], today=date(2026, 11, 30))
    assert [o.change for o in two_years] == ["upgrade"]
