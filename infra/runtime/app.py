"""The FastAPI application: thin routing over command handlers and read models."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from gateways import billing, errors, openapi, web
from gateways.middleware import AccessLog, CorrelationId, RequestGuard, SecurityHeaders, ServerTiming
from gateways.operations import TAGS, name_operations
from infra.kernel.settings import Settings
from infra.runtime.assembly import Runtime, running
from infra.runtime.features import routers


def create_app(
    settings: Settings, *, relay: bool = True, projector: bool = True, runtime: Runtime | None = None
) -> FastAPI:
    """With `runtime` given, the app uses it as it is (tests); otherwise it starts its own."""
    _ = settings.api_key_ring  # read now: a bad key file stops the start, not the first request

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if runtime is not None:
            app.state.runtime = runtime
            yield
            return
        async with running(
            settings, relay=relay, projector=projector, scheduler=settings.scheduler
        ) as started:
            app.state.runtime = started
            await billing.resume_unfinished_runs(started)
            yield

    app = FastAPI(
        title="MT-Facturation API",
        version="1",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_tags=TAGS,
        # FastAPI's own HTTP spans only when spans are recorded: unrecorded, they still cost gateway CPU
        # (docs/performance.md). Commands continue the caller's trace either way (run_command).
        telemetry={"tracing": settings.traces_recorded, "metrics": False, "logs": False},
    )
    if runtime is not None:
        app.state.runtime = runtime
    errors.install(app)
    openapi.document_errors(app)
    for router in routers():
        _add_routes(app, router)
    name_operations(app)
    web.serve_front_ends(app, settings.web_dist)
    app.add_middleware(RequestGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog, sample=settings.access_log_sample)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(CorrelationId)
    if settings.server_timing:
        app.add_middleware(ServerTiming)
    if settings.cors_origins:  # outermost: a browser's preflight is answered before anything else runs
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_RESPONSE_HEADERS,
            max_age=600,
        )
    return app


# What the operator workspace and the self-service site send and read across origins.
CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "X-API-Key",
    "X-Correlation-ID",
    "X-Draft-Token",
    "traceparent",
]
CORS_RESPONSE_HEADERS = ["ETag", "Location", "Retry-After", "X-Consistency-Token", "X-Correlation-ID"]


def _add_routes(app: FastAPI, router: APIRouter) -> None:
    """The router's routes, added to the app as its own. Each route already carries the router's
    prefix and tags. FastAPI 0.165's `include_router` keeps the router as one lazy route that
    re-matches its whole list on every request (docs/performance.md, "Measurements behind the code")."""
    app.router.routes.extend(router.routes)
