"""Domain errors. Each carries a stable machine-readable code; the gateway maps kinds to HTTP."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class RuleViolation(DomainError):
    """The request is well-formed but breaks a business rule about its own content."""

    code = "rule_violation"


class InvalidTransition(DomainError):
    """The aggregate's current state does not allow this change."""

    code = "invalid_transition"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The change collides with existing state (a duplicate, a stale version)."""

    code = "conflict"


class PreconditionFailed(DomainError):
    """The aggregate changed since the sender read it: its If-Match names an older version."""

    code = "version_mismatch"


class RateLimited(DomainError):
    """Too many requests of this kind from this subject; `retry_after_s` in the details says when to ask again."""

    code = "too_many_requests"
