"""A partner (an integrator key's holder) sees and changes only the clients and contracts it brought: the
ones it registered or provisioned, as recorded on their first event (`brought_by`). Anything else is
answered as if it did not exist (404), so a partner learns nothing of another's customers."""

from __future__ import annotations

from typing import Any

from domain.errors import NotFound
from infra.kernel.command_context import CommandContext

PARTNER_ROLE = "integrator"


def partner_of(ctx: CommandContext) -> str | None:
    """The partner a command acts for, recorded as `brought_by` on what it creates; None for staff."""
    return ctx.actor if ctx.role == PARTNER_ROLE else None


def require_brought(ctx: CommandContext, aggregate: Any, what: str) -> None:
    partner = partner_of(ctx)
    if partner is not None and getattr(aggregate, "brought_by", None) != partner:
        raise NotFound(f"{what} {aggregate.id} not found", code=f"{what}_not_found", id=str(aggregate.id))
