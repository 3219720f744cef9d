"""Moroccan service numbers: 9-digit local part, rendered +212XXXXXXXXX.

mobile local numbers start with 6 or 7; landline local numbers start with 5.
"""

from __future__ import annotations

import re
from random import Random

from domain.errors import RuleViolation

PREFIXES = {"mobile": ("6", "7"), "landline": ("5",)}
NUMBER_KINDS = tuple(PREFIXES)
_ACCEPTED = re.compile(r"^(?:\+212|00212|0)?([0-9]{9})$")


def number_kind_for(service: str) -> str:
    """Mobile lines get mobile numbers; internet and landline lines get a landline number."""
    return "mobile" if service == "mobile" else "landline"


def as_any_number(raw: str) -> str | None:
    """The number in its +212 form if it is a mobile or a landline number, else None."""
    for kind in NUMBER_KINDS:
        try:
            return normalize_number(raw, kind)
        except RuleViolation:
            continue
    return None


def normalize_number(raw: str, kind: str, field: str = "number") -> str:
    """Accepts +212XXXXXXXXX, 00212XXXXXXXXX, 0XXXXXXXXX or XXXXXXXXX (spaces and dashes ignored)."""
    compact = re.sub(r"[\s\-.]", "", raw)
    match = _ACCEPTED.match(compact)
    if not match:
        raise RuleViolation("a number is 9 digits after +212", code="invalid_number", field=field)
    local = match.group(1)
    if not local.startswith(PREFIXES[kind]):
        raise RuleViolation(
            f"a {kind} number starts with {' or '.join(PREFIXES[kind])}",
            code=f"not_a_{kind}_number",
            field=field,
        )
    return f"+212{local}"


def random_number(kind: str, rng: Random) -> str:
    prefix = rng.choice(PREFIXES[kind])
    return f"+212{prefix}{rng.randrange(10**8):08d}"
