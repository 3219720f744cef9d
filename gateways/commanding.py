"""How every command endpoint runs: context from the request, handler off the event loop, id and position back."""

from __future__ import annotations

from typing import Any, Callable

from fastapi import Request, Response
from pydantic import BaseModel

from gateways.auth import Principal
from gateways.middleware import correlation_id_of
from infra.kernel.command_context import CommandContext
from infra.kernel.telemetry import current_traceparent, parent_context, tracer


class Accepted(BaseModel):
    id: str
    position: int


def command_context(request: Request, principal: Principal) -> CommandContext:
    return CommandContext(
        actor=principal.key_id,
        role=principal.role,
        correlation_id=correlation_id_of(request),
        traceparent=current_traceparent(),
    )


async def execute(request: Request, response: Response, who: Principal, name: str, handler: Callable, location: str | None = None) -> Accepted:
    """Runs `handler(runtime, ctx) -> CommandResult` on a command thread: the event store client is synchronous."""
    accepted, _ = await execute_with_outcome(request, response, who, name, lambda rt, ctx: (handler(rt, ctx), None), location)
    return accepted


async def execute_with_outcome(
    request: Request, response: Response, who: Principal, name: str, handler: Callable, location: str | None = None
) -> tuple[Accepted, Any]:
    """Like `execute`, for handlers returning `(CommandResult, outcome)`; the outcome is handed back."""
    result, outcome = await run_command(request, who, name, handler)
    if location:
        response.headers["Location"] = f"{location}/{result.id}"
    response.headers["X-Consistency-Token"] = str(result.position)
    return Accepted(id=str(result.id), position=result.position), outcome


async def run_command(request: Request, who: Principal, name: str, handler: Callable) -> Any:
    """Runs `handler(runtime, ctx)` on a command thread: the event store client is synchronous.
    The append's NOTIFY wakes the relay."""
    runtime = request.app.state.runtime
    with tracer.start_as_current_span(name, context=parent_context(request.headers)):
        return await runtime.run_command(handler, runtime, command_context(request, who))
