"""Provisioning decides between a plan change and a new line (docs/rules.md, "Contracts").

1. A target contract given: plan change on it.
2. Intent new_line, or a service number the client does not already have: new line.
3. A number the client already has on an active contract: plan change on that contract.
4. No active contract for the service: new line (an explicit upgrade intent is refused).
5. Exactly one active contract for the service: plan change on it.
6. Several: 409 ambiguous_target, listing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.errors import Conflict


@dataclass(frozen=True)
class ActiveLine:
    contract_id: UUID
    number: str


@dataclass(frozen=True)
class Decision:
    kind: str  # "new_line" or "plan_change"
    contract_id: UUID | None = None


NEW_LINE = Decision("new_line")


def needs_active_lines(*, intent: str | None, target: UUID | None) -> bool:
    """Rules 1 and 2 decide without the client's active lines, so they need not be read."""
    return target is None and intent != "new_line"


def decide(
    *, intent: str | None, target: UUID | None, number: str | None, active: list[ActiveLine]
) -> Decision:
    if target is not None:
        return Decision("plan_change", target)
    if intent == "new_line":
        return NEW_LINE
    if number is not None:
        same = [line for line in active if line.number == number]
        return Decision("plan_change", same[0].contract_id) if same else NEW_LINE
    if not active:
        if intent == "upgrade":
            raise Conflict(
                "the client has no active contract for this service to upgrade", code="no_contract_to_change"
            )
        return NEW_LINE
    if len(active) == 1:
        return Decision("plan_change", active[0].contract_id)
    raise Conflict(
        "the client has several active contracts for this service: name the target contract",
        code="ambiguous_target",
        candidates=[{"contract_id": str(line.contract_id), "number": line.number} for line in active],
    )
