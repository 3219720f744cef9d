"""How every command endpoint runs: context from the request, handler off the event loop, id and position back."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
from typing import Any, Callable
from uuid import UUID

from fastapi import Header, Request, Response
from pydantic import BaseModel

from commands.idempotency import IdempotencyKey, once_only
from commands.preconditions import at_version
from domain.errors import DomainError
from gateways.auth import Principal
from gateways.errors import ApiError, status_for
from gateways.middleware import correlation_id_of
from infra.kernel import metrics
from infra.kernel.command_context import CommandContext
from infra.kernel.database import unavailable
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


IDEMPOTENCY_KEY = Header(
    default=None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=200,
    pattern=r"^[\x21-\x7e]+$",
    description="Sent again with the same request, the first answer comes back and nothing is appended; "
    "with a different request, 409 idempotency_key_reused. Keys are the sending key holder's own.",
)


IF_MATCH = Header(
    default=None,
    alias="If-Match",
    description='The ETag read with the resource ("3"): the update applies only to that version of it, '
    "else 412 version_mismatch and nothing changes. Without it, the update applies to the latest version.",
)


async def execute(
    request: Request,
    response: Response,
    who: Principal,
    handler: Callable,
    *args: Any,
    location: str | None = None,
    once: str | None = None,
    if_match: tuple[UUID, str | None] | None = None,
    **kwargs: Any,
) -> Accepted:
    """Runs a handler returning a CommandResult (see `run_command`); answers its id and log position.
    `once`: the request's Idempotency-Key, if it sent one; `if_match`: (the aggregate, the If-Match sent)."""
    result = await run_command(request, who, handler, *args, once=once, if_match=if_match, **kwargs)
    return _accepted(response, result, location)


def _expected_version(if_match: str) -> int | None:
    """The version an If-Match names ("3", or W/"3"); None for `*` (any version)."""
    tag = if_match.strip()
    if tag == "*":
        return None
    match = re.fullmatch(r'(?:W/)?"([1-9][0-9]{0,9})"', tag)
    if match is None:
        raise ApiError(400, "invalid_if_match", 'If-Match takes the ETag read with the resource, as "3"')
    return int(match.group(1))


async def execute_with_outcome(
    request: Request,
    response: Response,
    who: Principal,
    handler: Callable,
    *args: Any,
    location: str | None = None,
    once: str | None = None,
    answer: type | None = None,
    **kwargs: Any,
) -> tuple[Accepted, Any]:
    """Like `execute`, for handlers returning `(CommandResult, created)`; `created` is handed back (False
    when an Idempotency-Key sent before answers the first result). `answer`: the type of the aggregate the
    handler answers with, when its append does not save it first."""
    result, outcome = await run_command(
        request,
        who,
        handler,
        *args,
        once=once,
        answer=answer,
        replayed=lambda first: (first, False),
        **kwargs,
    )
    return _accepted(response, result, location), outcome


def _accepted(response: Response, result: Any, location: str | None) -> Accepted:
    if location:
        response.headers["Location"] = f"{location}/{result.id}"
    response.headers["X-Consistency-Token"] = str(result.position)
    return Accepted(id=str(result.id), position=result.position)


async def run_command(
    request: Request,
    who: Principal,
    handler: Callable,
    *args: Any,
    once: str | None = None,
    if_match: tuple[UUID, str | None] | None = None,
    answer: type | None = None,
    replayed: Callable[[Any], Any] = lambda first: first,
    **kwargs: Any,
) -> Any:
    """Runs a command handler on a command thread (the event store client is synchronous), in a span named
    after it (`record_payment`: RecordPayment). The handler's parameters named like a runtime service
    (store, clock, operator) get that service, `ctx` the command's context, and the others `args` and
    `kwargs`, in order. The append's NOTIFY wakes the relay."""
    runtime = request.app.state.runtime
    name = _command_name(handler)
    with tracer.start_as_current_span(name, context=parent_context(request.headers)):
        ctx = command_context(request, who)  # inside the span: the events carry its traceparent
        expected = _expected_version(if_match[1]) if if_match and if_match[1] is not None else None
        try:
            call = _bound(handler, runtime, ctx, args, kwargs)
            if expected is not None:
                call = at_version(call, if_match[0], expected)
            if once is not None:
                key = IdempotencyKey(scope=who.key_id, key=once)
                call = once_only(call, key, _request_digest(request, args), answer=answer, replayed=replayed)
            result = await runtime.run_command(call)
        except BaseException as error:
            metrics.commands.add(1, {"command": name, "outcome": outcome_of(error)})
            raise
        metrics.commands.add(1, {"command": name, "outcome": "accepted"})
        return result


def outcome_of(error: BaseException) -> str:
    """A refused command's outcome for the metrics: the HTTP status it is answered with."""
    if isinstance(error, DomainError):
        return str(status_for(error))
    return "503" if unavailable(error) else "500"


def _request_digest(request: Request, args: tuple[Any, ...]) -> str:
    """What an Idempotency-Key stands for: the method, the path and the command's body."""
    bodies = [a.model_dump(mode="json") for a in args if isinstance(a, BaseModel)]
    # The standard library's encoder: a body may hold integers beyond 64 bits (an offer's free-form
    # components), which orjson refuses.
    canonical = json.dumps([request.method, request.url.path, bodies], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


INJECTED = ("store", "clock", "operator", "ctx")  # the runtime's services, and the command context


def _bound(
    handler: Callable, runtime: Any, ctx: CommandContext, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Callable[[], Any]:
    """`handler`, ready to call, every argument by name: the injected ones, then `args` for its other
    parameters in order, and `kwargs`."""
    injected, others = _parameters(handler)
    if len(args) > len(others):
        raise TypeError(f"{handler.__name__} takes fewer arguments than given")
    values = {name: ctx if name == "ctx" else getattr(runtime, name) for name in injected}
    return functools.partial(handler, **values, **dict(zip(others, args)), **kwargs)


@functools.cache
def _parameters(handler: Callable) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The handler's parameters to inject, and the others, in order."""
    names = tuple(inspect.signature(handler).parameters)
    return tuple(n for n in names if n in INJECTED), tuple(n for n in names if n not in INJECTED)


@functools.cache
def _command_name(handler: Callable) -> str:
    return "".join(part.capitalize() for part in handler.__name__.split("_"))
