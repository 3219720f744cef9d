"""Saved self-service drafts: a visitor's unfinished subscription, restored by an unguessable token.

A draft is not a business fact: it is kept in a plain table, not in the event store, and it
expires. Only a digest of its token is stored, so a copy of the table restores nobody's draft.
A draft holds personal data as typed, so each row also keeps the CIN and email it names, in the
form they are compared in: erasing a client erases every draft naming them (`forget_person`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import asyncpg
import orjson
import psycopg

from domain.identity import canonical_cin
from infra.storage.visitor_access import SCHEMA

TABLE = f"{SCHEMA}.drafts"


class Draft(NamedTuple):
    body: dict[str, Any]
    saved_at: datetime
    expires_at: datetime


class DraftHold(NamedTuple):
    """Who holds a number for a draft (recorded on the number's events), and the number it holds, if any."""

    holder: str
    number: str | None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def holder_of(token: str) -> str:
    """The holder a draft's number holds are recorded under: the digest its row is kept under, never the token."""
    return _digest(token)


def _cin_key(cin: str | None) -> str | None:
    return canonical_cin(cin) or None if cin else None


def _email_key(email: str | None) -> str | None:
    return email.strip().lower() or None if email else None


def _person(body: dict[str, Any]) -> tuple[str | None, str | None]:
    return _cin_key(body.get("cin")), _email_key(body.get("email"))


async def create(
    conn: asyncpg.Connection, token: str, body: dict[str, Any], now: datetime, keep: timedelta
) -> Draft:
    await conn.execute(
        f"DELETE FROM {TABLE} WHERE expires_at <= $1", now
    )  # expired drafts go as new ones come
    await conn.execute(
        f"INSERT INTO {TABLE} (token_digest, body, saved_at, expires_at, cin, email) VALUES ($1, $2::jsonb, "
        "$3, $4, $5, $6)",
        _digest(token),
        orjson.dumps(body).decode(),
        now,
        now + keep,
        *_person(body),
    )
    return Draft(body, now, now + keep)


async def replace(
    conn: asyncpg.Connection, token: str, body: dict[str, Any], now: datetime, keep: timedelta
) -> Draft | None:
    """Saves over an unexpired draft, and keeps it `keep` longer; None if there is none under this token."""
    done = await conn.fetchval(
        f"""UPDATE {TABLE} SET body = $2::jsonb, saved_at = $3, expires_at = $4, cin = $5, email = $6
            WHERE token_digest = $1 AND expires_at > $3 RETURNING 1""",
        _digest(token),
        orjson.dumps(body).decode(),
        now,
        now + keep,
        *_person(body),
    )
    return Draft(body, now, now + keep) if done else None


async def restore(conn: asyncpg.Connection, token: str, now: datetime) -> Draft | None:
    row = await conn.fetchrow(
        f"SELECT body, saved_at, expires_at FROM {TABLE} WHERE token_digest = $1 AND expires_at > $2",
        _digest(token),
        now,
    )
    return Draft(orjson.loads(row["body"]), row["saved_at"], row["expires_at"]) if row else None


async def discard(conn: asyncpg.Connection, token: str) -> DraftHold | None:
    """Deletes the draft; what it held, so that its number can be freed. None if there was no draft."""
    row = await conn.fetchrow(
        f"DELETE FROM {TABLE} WHERE token_digest = $1 RETURNING held_number", _digest(token)
    )
    return DraftHold(_digest(token), row["held_number"]) if row else None


async def hold_of(conn: asyncpg.Connection, token: str, now: datetime) -> DraftHold | None:
    """The unexpired draft's holder and held number; None if there is no draft under this token."""
    row = await conn.fetchrow(
        f"SELECT held_number FROM {TABLE} WHERE token_digest = $1 AND expires_at > $2", _digest(token), now
    )
    return DraftHold(_digest(token), row["held_number"]) if row else None


async def record_hold(conn: asyncpg.Connection, token: str, number: str) -> None:
    await conn.execute(f"UPDATE {TABLE} SET held_number = $2 WHERE token_digest = $1", _digest(token), number)


def forget_person(conn: psycopg.Connection, cin: str, email: str) -> None:
    """Drops every draft naming this CIN or this email, on the erasing transaction's connection."""
    conn.execute(f"DELETE FROM {TABLE} WHERE cin = %s OR email = %s", (_cin_key(cin), _email_key(email)))
