"""Identity verification for the self-service site: a one-time code sent by SMS to a mobile number on file,
answered for a short-lived visitor token; and the attempt limits that keep the CIN from being guessed.

Unlike the event-sourced handlers, these write only the landing's own tables (challenges, attempt counts, the
SMS outbox), so they run on the gateway's asyncpg connection. The rules are in docs/self-service.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Mapping
from uuid import UUID

import asyncpg

from domain.errors import RateLimited, RuleViolation
from domain.identity import normalize_cin
from domain.numbers import as_any_number, normalize_number
from infra.storage import notifications, one_time_codes, visitor_access

# The client directory's mobile numbers on file for a CIN (a line's number or the contact phone), each with
# its `client_id`: a read model, handed in by the caller so that this module does not depend on projections.
PhonesOnFile = Callable[[asyncpg.Connection, str], Awaitable[list[Mapping[str, Any]]]]


@dataclass(frozen=True)
class VisitorPolicy:
    """How long codes and tokens last and how many attempts are allowed, from the `MTF_LANDING_*` settings."""

    code_lifetime: timedelta
    code_tries: int
    token_lifetime: timedelta
    attempt_window: timedelta
    failures_per_cin: int
    failures_per_address: int
    codes_per_number: int

    @classmethod
    def of(cls, settings: Any) -> VisitorPolicy:
        return cls(
            code_lifetime=timedelta(minutes=settings.landing_code_minutes),
            code_tries=settings.landing_code_tries,
            token_lifetime=timedelta(minutes=settings.landing_token_minutes),
            attempt_window=timedelta(minutes=settings.landing_attempt_window_minutes),
            failures_per_cin=settings.landing_failures_per_cin,
            failures_per_address=settings.landing_failures_per_address,
            codes_per_number=settings.landing_codes_per_number,
        )


@dataclass(frozen=True)
class Challenge:
    challenge_id: UUID
    expires_at: datetime


@dataclass(frozen=True)
class VisitorSession:
    token: str
    client_id: UUID
    expires_at: datetime


async def request_code(
    conn: asyncpg.Connection,
    key: bytes,
    policy: VisitorPolicy,
    phones_on_file: PhonesOnFile,
    raw_cin: str,
    raw_number: str,
    address: str,
    now: datetime,
) -> Challenge:
    """A challenge, whether or not the CIN and the number match a client, so the answer says nothing about who
    is a customer; only when they match is a code sent, by an SMS written in the same transaction."""
    cin, number = normalize_cin(raw_cin), mobile_number(raw_number)
    counted = await claim_attempt(conn, key, policy, cin, address, now, number)
    client_id = await _matching_client(conn, phones_on_file, cin, number)
    async with conn.transaction():
        challenge = await one_time_codes.open_challenge(
            conn,
            key,
            client_id,
            now,
            policy.code_lifetime,
            policy.code_tries,
            forgiven=[counted["cin"], counted["number"]],
        )
        if challenge.code is not None:
            minutes = int(policy.code_lifetime.total_seconds() // 60)
            await notifications.enqueue_sms(
                conn, number, sms_text(challenge.code, minutes), now, challenge.expires_at
            )
    return Challenge(challenge.challenge_id, challenge.expires_at)


async def answer_code(
    conn: asyncpg.Connection, key: bytes, policy: VisitorPolicy, challenge_id: UUID, code: str, now: datetime
) -> VisitorSession | None:
    """The visitor token for the right code; None for a wrong code, an expired or used challenge, or one that
    matched no client, which the caller answers alike."""
    client_id = await one_time_codes.answer_challenge(conn, key, challenge_id, code, now)
    if client_id is None:
        return None
    expires = now + policy.token_lifetime
    return VisitorSession(visitor_access.issue_token(key, client_id, expires), client_id, expires)


def sms_text(code: str, minutes: int) -> str:
    return (
        f"MT-Facturation : votre code est {code}. Il expire dans {minutes} minutes. "
        "Ne le communiquez a personne."
    )


def mobile_number(raw: str) -> str:
    try:
        return normalize_number(raw, "mobile")
    except RuleViolation:
        raise RuleViolation(
            "not a Moroccan mobile number (a code is sent by SMS)", code="invalid_number", field="number"
        ) from None


async def claim_attempt(
    conn: asyncpg.Connection,
    key: bytes,
    policy: VisitorPolicy,
    cin: str,
    address: str,
    now: datetime,
    number: str | None = None,
) -> dict[str, str]:
    """Counts a verification of this CIN (and number) from this address, and says what it is counted under;
    `too_many_attempts`, counting nothing, while one of them must still wait. Past its allowance, each attempt
    on a subject waits longer than the last: a stranger slows a customer's CIN down but never locks it for long.
    """
    counted = visitor_access.subjects(key, cin, address, number)
    limits = {counted["cin"]: policy.failures_per_cin, counted["address"]: policy.failures_per_address}
    if number is not None:
        limits[counted["number"]] = policy.codes_per_number
    if until := await visitor_access.claim(conn, limits, policy.attempt_window, now, growing=True):
        raise too_many(until, now, "too_many_attempts", "too many verification attempts")
    return counted


async def count_failure(
    conn: asyncpg.Connection, key: bytes, policy: VisitorPolicy, raw_cin: str, address: str, now: datetime
) -> None:
    """A submission for a CIN on file without its visitor token is a guess at that CIN: counted like one."""
    await claim_attempt(conn, key, policy, normalize_cin(raw_cin), address, now)


async def claim_per_address(
    conn: asyncpg.Connection,
    key: bytes,
    policy: VisitorPolicy,
    kind: str,
    address: str,
    limit: int,
    now: datetime,
    refusal: tuple[str, str],
) -> None:
    """Counts a request of this kind (submission, number-hold) from this address before it runs; `refusal`
    (code, message) once the address has made `limit` in the window. Every request counts, accepted or
    refused: a refusal must not be a free probe of what is on file."""
    subject = visitor_access.address_subject(key, kind, address)
    if until := await visitor_access.claim(conn, {subject: limit}, policy.attempt_window, now):
        raise too_many(until, now, *refusal)


def too_many(until: datetime, now: datetime, code: str, what: str) -> RateLimited:
    return RateLimited(
        f"{what}; try again later", code=code, retry_after_s=max(1, math.ceil((until - now).total_seconds()))
    )


async def _matching_client(
    conn: asyncpg.Connection, phones_on_file: PhonesOnFile, cin: str, number: str
) -> UUID | None:
    for phone in await phones_on_file(conn, cin):
        if phone["number"] and as_any_number(phone["number"]) == number:
            return phone["client_id"]
    return None
