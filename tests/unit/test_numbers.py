from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Conflict, RuleViolation
from domain.markers import NumberReservation
from domain.numbers import normalize_number, number_kind_for, random_number

eight = st.integers(min_value=0, max_value=10**8 - 1).map(lambda n: f"{n:08d}")


@given(
    st.sampled_from("67"), eight, st.sampled_from(["+212", "00212", "0", ""]), st.sampled_from(["", " ", "-"])
)
def test_mobile_numbers_in_any_common_format_render_e164(prefix, rest, country, separator):
    local = prefix + rest
    raw = country + local[:3] + separator + local[3:]
    assert normalize_number(raw, "mobile") == f"+212{local}"


@given(eight)
def test_landline_numbers_start_with_5(rest):
    assert normalize_number("05" + rest, "landline") == f"+2125{rest}"
    with pytest.raises(RuleViolation) as refused:
        normalize_number("05" + rest, "mobile")
    assert refused.value.code == "not_a_mobile_number"


@pytest.mark.parametrize(
    "raw", ["", "+21261234567", "+2126123456789", "+33612345678", "61234567a", "+212 6 12"]
)
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(RuleViolation) as refused:
        normalize_number(raw, "mobile")
    assert refused.value.code == "invalid_number"


@given(st.sampled_from(["mobile", "landline"]), st.integers())
def test_random_numbers_are_valid_for_their_kind(kind, seed):
    number = random_number(kind, Random(seed))
    assert normalize_number(number, kind) == number and len(number) == 13


def test_internet_and_landline_lines_get_landline_numbers():
    assert [number_kind_for(s) for s in ("mobile", "internet", "landline")] == [
        "mobile",
        "landline",
        "landline",
    ]


def test_a_reserved_number_is_not_reassigned_until_released():
    reservation = NumberReservation.reserve("+212612345678", "mobile", uuid.uuid4())
    with pytest.raises(Conflict):
        reservation.reserve_again(uuid.uuid4(), NOW)
    reservation.release()
    newcomer = uuid.uuid4()
    reservation.reserve_again(newcomer, NOW)
    assert reservation.subscriber_id == newcomer
    assert NumberReservation.id_for("+212612345678") == reservation.id


NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
HOLD = timedelta(minutes=30)


def test_a_held_number_goes_to_its_draft_and_to_nobody_else_while_the_hold_lasts():
    held = NumberReservation.hold_new("+212612345678", "mobile", "draft-a", NOW + HOLD)
    assert held.is_free and held.held_for == "draft-a"
    for taker in (None, "draft-b"):
        with pytest.raises(Conflict) as refused:
            held.reserve_again(uuid.uuid4(), NOW + HOLD - timedelta(seconds=1), holder=taker)
        assert refused.value.code == "number_taken"
        with pytest.raises(Conflict):
            held.hold("draft-b", NOW + 2 * HOLD, NOW)
    line = uuid.uuid4()
    held.reserve_again(line, NOW + HOLD - timedelta(seconds=1), holder="draft-a")
    assert held.subscriber_id == line and held.held_for is None


def test_a_hold_that_has_passed_no_longer_keeps_the_number():
    held = NumberReservation.hold_new("+212512345678", "landline", "draft-a", NOW + HOLD)
    assert held.held_by_other("draft-b", NOW + HOLD - timedelta(microseconds=1))
    assert not held.held_by_other("draft-b", NOW + HOLD)
    held.hold("draft-b", NOW + 2 * HOLD, NOW + HOLD)
    assert (held.held_for, held.held_until) == ("draft-b", NOW + 2 * HOLD)


def test_a_released_hold_frees_the_number_and_only_its_holder_may_release_it():
    held = NumberReservation.hold_new("+212612345679", "mobile", "draft-a", NOW + HOLD)
    held.release_hold("draft-b")
    assert held.held_for == "draft-a"
    held.release_hold("draft-a")
    assert held.held_for is None
    held.reserve_again(uuid.uuid4(), NOW)
    assert not held.is_free
