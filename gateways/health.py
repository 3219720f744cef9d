"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/metrics", include_in_schema=False)
async def scrape(request: Request) -> Response:
    """Prometheus text exposition; the lags and dead letters are read from the database at each scrape."""
    content, media_type = await request.app.state.runtime.metrics_exposition()
    return Response(content, media_type=media_type)


@router.get(
    "/ready",
    responses={
        200: {
            "description": "Every check this process's roles require passed: the database always; the broker "
            "for a relay or a projection consumer; the relay's lag for a relay. The others are reported, "
            "marked `required: false`."
        },
        503: {
            "description": "Some check failed; the body is the same report, naming it.",
            "content": {"application/json": {}},
        },
    },
)
async def ready(request: Request) -> JSONResponse:
    healthy, checks = await request.app.state.runtime.readiness()
    return JSONResponse(
        {"status": "ready" if healthy else "not_ready", "checks": checks}, status_code=200 if healthy else 503
    )
