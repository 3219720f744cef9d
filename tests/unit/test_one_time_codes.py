"""One-time codes and the growing wait: the pure parts of the self-service identity check."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from infra.storage.one_time_codes import CODE_DIGITS, code_digest, draw_code
from infra.storage.visitor_access import growing_wait


def test_codes_are_six_digits_and_not_all_alike():
    codes = {draw_code() for _ in range(200)}
    assert all(len(c) == CODE_DIGITS and c.isdigit() for c in codes)
    assert len(codes) > 150


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
)
def test_a_digest_is_bound_to_its_key_challenge_and_code(code, other):
    key, challenge = b"k" * 32, uuid.uuid4()
    digest = code_digest(key, challenge, code)
    assert len(digest) == 32 and code.encode() not in digest
    assert digest == code_digest(key, challenge, code)
    assert digest != code_digest(b"x" * 32, challenge, code)
    assert digest != code_digest(key, uuid.uuid4(), code)
    assert (digest == code_digest(key, challenge, other)) == (code == other)


def test_past_the_allowance_each_wait_doubles_up_to_the_window():
    window = timedelta(minutes=15)
    assert [growing_wait(n, 3, window).total_seconds() for n in range(3, 10)] == [
        30,
        60,
        120,
        240,
        480,
        900,
        900,
    ]
