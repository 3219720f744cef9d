from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RuleViolation
from domain.identity import CIN_INPUT_PATTERN, client_id_for_cin, mask, normalize_cin

letters = st.text(alphabet=string.ascii_letters, min_size=1, max_size=2)
digits = st.text(alphabet=string.digits, min_size=5, max_size=6)


@given(letters, digits, st.sampled_from(["", " ", "  "]))
def test_valid_cins_normalise_to_uppercase_without_spaces(prefix, number, gap):
    raw = f" {prefix}{gap}{number} "
    cin = normalize_cin(raw)
    assert cin == (prefix + number).upper()
    assert client_id_for_cin(cin) == client_id_for_cin(normalize_cin(raw.lower()))


@pytest.mark.parametrize("raw", ["", "123456", "ABC12345", "A1234", "AB1234567", "A-12345", "É12345"])
def test_malformed_cins_are_refused(raw):
    with pytest.raises(RuleViolation) as refused:
        normalize_cin(raw)
    assert refused.value.code == "invalid_cin"


def test_mask_keeps_only_the_ends():
    assert mask("AB123456") == "AB****56"
    assert mask("abc") == "***"


@st.composite
def near_cins(draw) -> str:
    """0-3 letters then 4-7 digits, with spaces anywhere and now and then a stray character: both
    sides of every boundary of the rule."""
    chars = list(
        draw(st.text(alphabet="aBzY", max_size=3))
        + draw(st.text(alphabet=string.digits, min_size=4, max_size=7))
    )
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from([" ", "\t", " ", "-", "É"])))
    return "".join(chars)


@given(near_cins())
def test_the_documented_cin_pattern_accepts_exactly_what_the_domain_accepts(raw):
    documented = re.fullmatch(CIN_INPUT_PATTERN, raw) is not None
    try:
        normalize_cin(raw)
        accepted = True
    except RuleViolation:
        accepted = False
    assert documented == accepted
