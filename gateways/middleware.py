"""Pure-ASGI middleware: correlation ids, a sampled access log, the request body size limit and Server-Timing."""

from __future__ import annotations

import logging
import random
import re
import time
import uuid

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.kernel import logs, metrics, server_timing

HEADER = "x-correlation-id"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def correlation_id_of(request: Request) -> str:
    return request.scope.get("state", {}).get("correlation_id") or ""


class CorrelationId:
    """Accepts a well-formed X-Correlation-ID or makes one, and echoes it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        correlation_id = given if _ACCEPTABLE.match(given) else str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        logs.correlation_id.set(correlation_id)  # every log line of this request carries it

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((HEADER.encode(), correlation_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_header)


# What no answer may be: sniffed as another type, framed by another site, or kept in a cache (the API
# answers personal data, tokens and documents). The front ends' pages get a content-security policy that
# allows only this origin's scripts, styles, images and API; the API's answers, one that allows nothing.
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_API_POLICY = b"default-src 'none'; frame-ancestors 'none'"
# blob: for the PDFs the pages show in a frame and offer for download, fetched by the page then shown
_PAGE_POLICY = (
    b"default-src 'self'; img-src 'self' data: blob:; frame-src 'self' blob:; connect-src 'self' blob:; "
    b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_NOT_PAGES = ("/docs", "/redoc", "/openapi.json")  # FastAPI's own documentation pages load a CDN's scripts


class SecurityHeaders:
    """The headers above on every answer; HSTS when the request came over TLS (`scheme` is https, also
    behind a proxy that says so and is trusted, see FORWARDED_ALLOW_IPS)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        api = path.startswith("/api/") or path in ("/health", "/ready", "/metrics")

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if not (api and h[0].lower() == b"cache-control")
                ]
                headers += _ALWAYS
                if api:
                    headers += [(b"cache-control", b"no-store"), (b"content-security-policy", _API_POLICY)]
                elif not path.startswith(_NOT_PAGES):
                    headers.append((b"content-security-policy", _PAGE_POLICY))
                if scope.get("scheme") == "https":
                    headers.append(_HSTS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_secured)


access_log = logging.getLogger("mtf.access")


class AccessLog:
    """Times every request into the `http.server.request.duration` metric, and logs a share of them
    (`sample`) and every 5xx: method, route (its template, so no id or query string), status and duration.
    Installed inside CorrelationId, so lines carry its id."""

    def __init__(self, app: ASGIApp, sample: float) -> None:
        self.app, self.sample = app, sample

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            took = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "(unrouted)"
            metrics.http_duration.record(
                took,
                {
                    "http.request.method": scope["method"],
                    "http.route": route,
                    "http.response.status_code": status,
                },
            )
            if status >= 500 or random.random() < self.sample:
                access_log.info("%s %s %d %.1f ms", scope["method"], route, status, took * 1000)


class ServerTiming:
    """Answers where the request's time went (`infra.kernel.server_timing`); installed only when enabled."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        arrived = time.perf_counter()
        with server_timing.collected() as timings:

            async def send_with_timings(message: Message) -> None:
                if message["type"] == "http.response.start":
                    timings.add("app", time.perf_counter() - arrived)
                    message.setdefault("headers", []).append((server_timing.HEADER, timings.header()))
                await send(message)

            await self.app(scope, receive, send_with_timings)


NUL_MARKERS = (b"\x00", b"\\u0000", b"%00")


def _has_nul(data: bytes) -> bool:
    lowered = data.lower()
    return any(marker in lowered for marker in NUL_MARKERS)


class RequestGuard:
    """Guards what reaches a handler: bodies over the limit get 413 (declared or streamed), and a NUL
    character anywhere (path, query or body) gets 422. PostgreSQL text cannot hold NUL; accepted into
    an event, it would fail every projection of that event forever."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(scope, send)
        if _has_nul(scope.get("query_string", b"")) or _has_nul(
            scope.get("raw_path") or scope["path"].encode()
        ):
            return await self._refuse_nul(scope, send)
        # Buffer up to the limit before the app runs: FastAPI would turn an error raised
        # mid-read into its own 400, and a refusal must not leave a half-read request behind.
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                return await self._refuse(scope, send)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        if any(_has_nul(m.get("body", b"")) for m in messages):
            return await self._refuse_nul(scope, send)

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        await _error(
            scope,
            send,
            413,
            "payload_too_large",
            f"request body exceeds {self.max_bytes} bytes",
            {"max_bytes": self.max_bytes},
        )

    async def _refuse_nul(self, scope: Scope, send: Send) -> None:
        await _error(scope, send, 422, "invalid_characters", "the request contains a NUL character")


async def _error(
    scope: Scope, send: Send, status: int, code: str, message: str, details: dict | None = None
) -> None:
    correlation_id = scope.get("state", {}).get("correlation_id", "")
    body = orjson.dumps(
        {
            "error": {
                "code": code,
                "message": message,
                "details": details or {},
                "correlation_id": correlation_id,
            }
        }
    )
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": body})
