"""Self-service tokens: scoped to one client, signed, and dead at their expiry."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from infra.storage.visitor_access import client_of, issue_token

KEY = b"k" * 32
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def test_a_token_names_its_client_until_it_expires():
    client = uuid.uuid4()
    token = issue_token(KEY, client, NOW + timedelta(minutes=15))
    assert client_of(KEY, token, NOW) == client
    assert client_of(KEY, token, NOW + timedelta(minutes=14, seconds=59)) == client
    assert client_of(KEY, token, NOW + timedelta(minutes=15)) is None


def test_a_forged_or_mangled_token_names_nobody():
    token = issue_token(KEY, uuid.uuid4(), NOW + timedelta(minutes=15))
    payload, signature = token.split(".")
    someone_else = issue_token(KEY, uuid.uuid4(), NOW + timedelta(minutes=15)).split(".")[0]
    assert client_of(b"x" * 32, token, NOW) is None  # signed with another key
    assert (
        client_of(KEY, f"{someone_else}.{signature}", NOW) is None
    )  # another client's payload, this signature
    for garbage in ("", "abc", "a.b.c", f"{payload}.", f".{signature}", "é.é"):
        assert client_of(KEY, garbage, NOW) is None, garbage
