"""National identity (CIN) rules and the deterministic ids derived from natural keys."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from domain.errors import RuleViolation

CIN_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9]{5,6}$")
# What a caller may send as a CIN, for the API document: the same in either case, with spaces anywhere.
CIN_INPUT_PATTERN = r"^\s*[A-Za-z]\s*(?:[A-Za-z]\s*)?(?:[0-9]\s*){5,6}$"
MTF_NAMESPACE = UUID("6f1c2a0e-5b7d-4c1e-9a35-2b8f0d6c4e11")


def canonical_cin(raw: str) -> str:
    """A CIN as it is compared: uppercased, without spaces (not yet checked)."""
    return "".join(raw.split()).upper()


def normalize_cin(raw: str) -> str:
    cin = canonical_cin(raw)
    if not CIN_PATTERN.match(cin):
        raise RuleViolation("CIN must be 1-2 letters followed by 5-6 digits", code="invalid_cin", field="cin")
    return cin


def client_id_for_cin(cin: str) -> UUID:
    """One CIN, one client: the id is derived, so a duplicate registration collides on write."""
    return uuid5(MTF_NAMESPACE, f"client/{cin}")


def mask(value: str, keep_start: int = 2, keep_end: int = 2) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else mask(email)


def mask_address(address: str) -> str:
    return "***" if address else ""
