"""RecordRefusal: keeps an audit entry for a privileged action that was refused."""

from __future__ import annotations

from commands.base import CommandResult
from domain.access import AccessRefusal
from infra.eventstore.port import EventStore
from infra.kernel.command_context import CommandContext


def record_refusal(
    store: EventStore, method: str, path: str, allowed_roles: list[str], ctx: CommandContext
) -> CommandResult:
    refusal = AccessRefusal(
        actor=ctx.actor, role=ctx.role, method=method, path=path, allowed_roles=sorted(allowed_roles)
    )
    return CommandResult(refusal.id, store.save_as(ctx, refusal))
