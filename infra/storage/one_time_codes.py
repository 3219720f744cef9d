"""One-time codes that prove a self-service visitor holds a phone number on file.

A challenge is made for every verification request, whether the CIN and the number match a client
or not, so the answer never says which. Only a matched challenge names a client and has its code
sent by SMS; an unmatched one can never be answered. A code is 6 digits, lasts a few minutes,
allows a few tries and is used once. It is kept only as a keyed digest (HMAC-SHA256 with the
landing's signing key, bound to its challenge), never in clear and never in the event store.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from infra.storage import visitor_access
from infra.storage.visitor_access import SCHEMA

CODE_DIGITS = 6


def draw_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(key: bytes, challenge_id: UUID, code: str) -> bytes:
    return hmac.new(key, f"otp|{challenge_id}|{code}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class Challenge:
    challenge_id: UUID
    expires_at: datetime
    code: str | None  # only for a matched challenge, to be sent by SMS; never stored


async def open_challenge(
    conn: asyncpg.Connection,
    key: bytes,
    client_id: UUID | None,
    now: datetime,
    lasts: timedelta,
    tries: int,
    forgiven: list[str] = (),
) -> Challenge:
    """A challenge for this client, or for nobody when the request matched no client (same row, same answer).
    `forgiven`: the attempt counts a right answer clears (the customer's CIN and number, not the address's)."""
    challenge_id, code = uuid.uuid4(), draw_code()
    expires_at = now + lasts
    await conn.execute(f"DELETE FROM {SCHEMA}.challenges WHERE expires_at < $1", now - timedelta(days=1))
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.challenges (challenge_id, client_id, code_digest, expires_at, tries_left, forgiven)
            VALUES ($1, $2, $3, $4, $5, $6)""",
        challenge_id,
        client_id,
        code_digest(key, challenge_id, code),
        expires_at,
        tries,
        list(forgiven),
    )
    return Challenge(challenge_id, expires_at, code if client_id is not None else None)


async def answer_challenge(
    conn: asyncpg.Connection, key: bytes, challenge_id: UUID, code: str, now: datetime
) -> UUID | None:
    """The client a right, unexpired, unused code proves; None otherwise. A wrong code uses up a try."""
    async with conn.transaction():
        row = await conn.fetchrow(
            f"""SELECT client_id, code_digest, expires_at, tries_left, used_at, forgiven FROM {SCHEMA}.challenges
                WHERE challenge_id = $1 FOR UPDATE""",
            challenge_id,
        )
        if row is None or row["used_at"] is not None or row["expires_at"] <= now or row["tries_left"] <= 0:
            return None
        if row["client_id"] is None or not hmac.compare_digest(
            bytes(row["code_digest"]), code_digest(key, challenge_id, code)
        ):
            await conn.execute(
                f"UPDATE {SCHEMA}.challenges SET tries_left = tries_left - 1 WHERE challenge_id = $1",
                challenge_id,
            )
            return None
        await conn.execute(
            f"UPDATE {SCHEMA}.challenges SET used_at = $2 WHERE challenge_id = $1", challenge_id, now
        )
        await visitor_access.forget(conn, row["forgiven"])
        return row["client_id"]
