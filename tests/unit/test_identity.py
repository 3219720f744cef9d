from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RuleViolation
from domain.identity import client_id_for_cin, mask, normalize_cin

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
