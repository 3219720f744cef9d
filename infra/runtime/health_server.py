"""`/health` and `/ready` for the processes that serve no API (`mtf relay`, `mtf project`), for the probes
of whatever supervises them. The same readiness as the gateway's, by the process's roles."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the process's own signal handlers stop it, and this server with it


def health_app(runtime: Any) -> Starlette:
    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def ready(_: Request) -> JSONResponse:
        healthy, checks = await runtime.readiness()
        body = {"status": "ready" if healthy else "not_ready", "checks": checks}
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def scrape(_: Request) -> Response:
        content, media_type = await runtime.metrics_exposition()
        return Response(content, media_type=media_type)

    return Starlette(routes=[Route("/health", health), Route("/ready", ready), Route("/metrics", scrape)])


@contextlib.asynccontextmanager
async def serving_health(runtime: Any, host: str, port: int) -> AsyncIterator[None]:
    config = uvicorn.Config(
        health_app(runtime), host=host, port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(), name="health server")
    try:
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if task.done():
            task.result()  # the port could not be bound: say why
            raise RuntimeError(f"the health endpoint on {host}:{port} stopped at start")
        yield
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
