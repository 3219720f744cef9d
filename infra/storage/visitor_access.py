"""Self-service visitors: short-lived tokens scoped to one client, and the attempt counts that stop guessing.

The signing key is generated once and kept in the database, so every gateway process signs and
checks with the same key and nothing has to be configured. Failed verifications are counted per
CIN and per client address, and subscription submissions per client address; every subject is
stored only as a keyed digest, never in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from typing import Iterable
from uuid import UUID

import asyncpg

from infra.kernel.database import advisory_key

SCHEMA = "landing"
# the advisory-lock class attempt counts are serialized under (the event store's schema lock is 7_355_609)
ATTEMPT_LOCKS = 7_355_610


async def signing_key(conn: asyncpg.Connection) -> bytes:
    """The key every gateway signs visitor tokens with: made by whichever process asks first."""
    await conn.execute(
        f"INSERT INTO {SCHEMA}.signing_key (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        secrets.token_bytes(32),
    )
    return await conn.fetchval(f"SELECT secret FROM {SCHEMA}.signing_key WHERE id = 1")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(key: bytes, client_id: UUID, expires_at: datetime) -> str:
    """A visitor token: the client it is scoped to, until `expires_at`."""
    return _signed(key, str(client_id), expires_at)


def issue_contract_token(key: bytes, contract_id: UUID, expires_at: datetime) -> str:
    """A document token: one contract's PDF, for a newcomer's confirmation page; it opens nothing else."""
    return _signed(key, f"contract:{contract_id}", expires_at)


def _signed(key: bytes, subject: str, expires_at: datetime) -> str:
    payload = f"{subject}|{int(expires_at.timestamp())}".encode()
    return _b64(payload) + "." + _b64(hmac.new(key, payload, hashlib.sha256).digest())


def _subject(key: bytes, token: str, now: datetime) -> str | None:
    try:
        encoded, signature = token.split(".")
        payload = _unb64(encoded)
        if not hmac.compare_digest(_unb64(signature), hmac.new(key, payload, hashlib.sha256).digest()):
            return None
        subject, expires = payload.decode().rsplit("|", 1)
        return subject if datetime.fromtimestamp(int(expires), timezone.utc) > now else None
    except (ValueError, UnicodeDecodeError):
        return None


def client_of(key: bytes, token: str, now: datetime) -> UUID | None:
    """The client a valid, unexpired visitor token is scoped to; None for anything else (a document token too)."""
    return _uuid(_subject(key, token, now))


def contract_of(key: bytes, token: str, now: datetime) -> UUID | None:
    """The contract a valid, unexpired document token is scoped to; None for anything else."""
    subject = _subject(key, token, now)
    return _uuid(subject.removeprefix("contract:")) if subject and subject.startswith("contract:") else None


def _uuid(text: str | None) -> UUID | None:
    try:
        return UUID(text) if text else None
    except ValueError:
        return None


def _digest(key: bytes, kind: str, value: str) -> str:
    return kind + ":" + hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def subjects(key: bytes, cin: str, address: str, number: str | None = None) -> dict[str, str]:
    """The keyed digests verifications are counted under: the CIN, the client address, and the number a code goes to."""
    counted = {"cin": _digest(key, "cin", cin), "address": _digest(key, "address", address)}
    if number is not None:
        counted["number"] = _digest(key, "number", number)
    return counted


def address_subject(key: bytes, kind: str, address: str) -> str:
    """The keyed digest a client address's requests of one kind (submission, number-hold) are counted under."""
    return _digest(key, kind, address)


GROWTH_BASE = timedelta(seconds=30)


def growing_wait(attempts: int, limit: int, window: timedelta) -> timedelta:
    """Past the allowance, the wait after the latest attempt: 30 s, then 1, 2, 4, 8 minutes, never more than
    the window."""
    return min(window, GROWTH_BASE * 2 ** (attempts - limit))


async def blocked_until(
    conn: asyncpg.Connection, limits: dict[str, int], window: timedelta, now: datetime, growing: bool = False
) -> datetime | None:
    """When the next attempt will be allowed, if any of these subjects has used up its allowance in the window: at the
    end of the window, or, `growing`, after a wait that doubles with each attempt past the allowance."""
    rows = await conn.fetch(
        f"""SELECT subject, count(*) AS attempts, min(attempted_at) AS oldest, max(attempted_at) AS latest
            FROM {SCHEMA}.attempts
            WHERE subject = ANY($1::text[]) AND attempted_at > $2 GROUP BY subject""",
        list(limits),
        now - window,
    )
    over = [row for row in rows if row["attempts"] >= limits[row["subject"]]]
    if growing:
        ends = [row["latest"] + growing_wait(row["attempts"], limits[row["subject"]], window) for row in over]
        ends = [end for end in ends if end > now]
    else:
        ends = [row["oldest"] + window for row in over]
    return max(ends) if ends else None


async def claim(
    conn: asyncpg.Connection, limits: dict[str, int], window: timedelta, now: datetime, growing: bool = False
) -> datetime | None:
    """Counts an attempt under every subject, unless one of them has used up its limit: then nothing is counted and the
    answer is when the next attempt will be allowed.

    Check and count are one step. Concurrent claims on a subject take turns under a transaction-scoped advisory lock,
    so a burst of attempts in flight together cannot pass the limit together. A visitor who proves who they are has the
    counts of their own subjects `forget`-ten."""
    async with conn.transaction():
        for subject in sorted(
            limits
        ):  # one order everywhere: two claims never wait on each other's second lock
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", ATTEMPT_LOCKS, advisory_key(subject))
        if until := await blocked_until(conn, limits, window, now, growing):
            return until
        await record(conn, limits, now, window)
    return None


async def record(conn: asyncpg.Connection, counted: Iterable[str], now: datetime, window: timedelta) -> None:
    """Counts an attempt under each subject; attempts older than the window, which no longer count, are
    dropped on the way."""
    await conn.execute(f"DELETE FROM {SCHEMA}.attempts WHERE attempted_at <= $1", now - window)
    await conn.executemany(
        f"INSERT INTO {SCHEMA}.attempts (subject, attempted_at) VALUES ($1, $2)", [(s, now) for s in counted]
    )


async def forget(conn: asyncpg.Connection, subjects: list[str]) -> None:
    await conn.execute(f"DELETE FROM {SCHEMA}.attempts WHERE subject = ANY($1::text[])", subjects)
