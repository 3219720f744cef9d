"""Command endpoints: build the command, run its handler off the event loop, return id and position."""

from __future__ import annotations

from typing import Callable

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from commands.base import CommandResult
from commands.clients import RegisterClient, register_client
from commands.contracts import ProvisionContract, provision_contract
from commands.offers import CreateOffer, create_offer
from gateways.auth import Principal, allow
from gateways.middleware import correlation_id_of
from infra.command_context import CommandContext
from infra.telemetry import current_traceparent, tracer

router = APIRouter(prefix="/api/v1")


class Accepted(BaseModel):
    id: str
    position: int


def _context(request: Request, principal: Principal) -> CommandContext:
    return CommandContext(
        actor=principal.key_id,
        role=principal.role,
        correlation_id=correlation_id_of(request),
        traceparent=current_traceparent(),
    )


async def _execute(
    request: Request, response: Response, who: Principal, name: str, handler: Callable, location: str
) -> Accepted:
    """Runs `handler(runtime, ctx)` in a worker thread: the event store client is synchronous."""
    runtime = request.app.state.runtime
    with tracer.start_as_current_span(name):
        ctx = _context(request, who)
        result: CommandResult = await run_in_threadpool(handler, runtime, ctx)
    runtime.nudge_relay()
    response.headers["Location"] = f"{location}/{result.id}"
    response.headers["X-Consistency-Token"] = str(result.position)
    return Accepted(id=str(result.id), position=result.position)


@router.post("/clients", status_code=201, response_model=Accepted, tags=["clients"])
async def post_client(
    body: RegisterClient, request: Request, response: Response, who: Principal = Depends(allow("operator", "integrator"))
) -> Accepted:
    return await _execute(
        request, response, who, "RegisterClient", lambda rt, ctx: register_client(rt.store, body, ctx), "/api/v1/clients"
    )


@router.post("/offers", status_code=201, response_model=Accepted, tags=["offers"])
async def post_offer(
    body: CreateOffer, request: Request, response: Response, who: Principal = Depends(allow("admin"))
) -> Accepted:
    return await _execute(
        request, response, who, "CreateOffer", lambda rt, ctx: create_offer(rt.store, body, ctx), "/api/v1/offers"
    )


@router.post("/contracts", status_code=201, response_model=Accepted, tags=["contracts"])
async def post_contract(
    body: ProvisionContract, request: Request, response: Response, who: Principal = Depends(allow("operator", "integrator"))
) -> Accepted:
    return await _execute(
        request,
        response,
        who,
        "ProvisionContract",
        lambda rt, ctx: provision_contract(rt.store, rt.clock, body, ctx),
        "/api/v1/contracts",
    )
