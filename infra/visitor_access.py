"""Self-service visitors: short-lived tokens scoped to one client, and the attempt counts that stop guessing.

The signing key is generated once and kept in the database, so every gateway process signs and
checks with the same key and nothing has to be configured. Attempts are counted per CIN and per
client address; both are stored only as keyed digests, never in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID

import asyncpg

SCHEMA = "landing"
DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.signing_key (
    id     int PRIMARY KEY CHECK (id = 1),
    secret bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.verification_failures (
    subject   text NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS verification_failures_subject ON {SCHEMA}.verification_failures (subject, failed_at);
CREATE INDEX IF NOT EXISTS verification_failures_age ON {SCHEMA}.verification_failures (failed_at);
"""


@dataclass(frozen=True)
class AttemptLimits:
    per_cin: int
    per_address: int
    window: timedelta


async def signing_key(conn: asyncpg.Connection) -> bytes:
    """The key every gateway signs visitor tokens with: made by whichever process asks first."""
    await conn.execute(
        f"INSERT INTO {SCHEMA}.signing_key (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", secrets.token_bytes(32)
    )
    return await conn.fetchval(f"SELECT secret FROM {SCHEMA}.signing_key WHERE id = 1")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(key: bytes, client_id: UUID, expires_at: datetime) -> str:
    payload = f"{client_id}|{int(expires_at.timestamp())}".encode()
    return _b64(payload) + "." + _b64(hmac.new(key, payload, hashlib.sha256).digest())


def client_of(key: bytes, token: str, now: datetime) -> UUID | None:
    """The client a valid, unexpired token is scoped to; None for anything else."""
    try:
        encoded, signature = token.split(".")
        payload = _unb64(encoded)
        if not hmac.compare_digest(_unb64(signature), hmac.new(key, payload, hashlib.sha256).digest()):
            return None
        client_id, expires = payload.decode().split("|")
        if datetime.fromtimestamp(int(expires), timezone.utc) <= now:
            return None
        return UUID(client_id)
    except (ValueError, UnicodeDecodeError):
        return None


def subjects(key: bytes, cin: str, address: str) -> dict[str, str]:
    """The keyed digests attempts are counted under: one for the CIN, one for the client address."""
    digest = lambda kind, value: kind + ":" + hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]  # noqa: E731
    return {"cin": digest("cin", cin), "address": digest("address", address)}


async def blocked_until(conn: asyncpg.Connection, counted: dict[str, str], limits: AttemptLimits, now: datetime) -> datetime | None:
    """When the next attempt will be allowed, if the CIN or the address has used up its failures in the window."""
    rows = await conn.fetch(
        f"""SELECT subject, count(*) AS failures, min(failed_at) AS oldest FROM {SCHEMA}.verification_failures
            WHERE subject = ANY($1::text[]) AND failed_at > $2 GROUP BY subject""",
        list(counted.values()), now - limits.window,
    )
    limit_of = {counted["cin"]: limits.per_cin, counted["address"]: limits.per_address}
    over = [row["oldest"] + limits.window for row in rows if row["failures"] >= limit_of[row["subject"]]]
    return max(over) if over else None


async def record_failure(conn: asyncpg.Connection, counted: dict[str, str], now: datetime, window: timedelta) -> None:
    """Counts a failure; failures older than the window, which no longer count, are dropped on the way."""
    await conn.execute(f"DELETE FROM {SCHEMA}.verification_failures WHERE failed_at <= $1", now - window)
    await conn.executemany(
        f"INSERT INTO {SCHEMA}.verification_failures (subject, failed_at) VALUES ($1, $2)", [(s, now) for s in counted.values()]
    )


async def forget_failures(conn: asyncpg.Connection, counted: dict[str, str]) -> None:
    """A success clears the CIN's count (not the address's: one address may be guessing at many CINs)."""
    await conn.execute(f"DELETE FROM {SCHEMA}.verification_failures WHERE subject = $1", counted["cin"])
