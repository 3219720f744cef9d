"""The one error envelope: {"error": {"code", "message", "details", "correlation_id"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RuleViolation,
)
from gateways.middleware import correlation_id_of
from infra.kernel.database import MAYBE_UNAVAILABLE, unavailable

log = logging.getLogger(__name__)
DATABASE_RETRY_AFTER_S = 2

STATUS_BY_KIND: dict[type[DomainError], int] = {
    RuleViolation: 422,
    InvalidTransition: 409,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    PreconditionFailed: 412,
}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: Any = None, headers: dict | None = None
    ):
        self.status, self.code, self.message, self.details, self.headers = (
            status,
            code,
            message,
            details,
            headers,
        )


def envelope(request: Request, status: int, code: str, message: str, details: Any = None, headers=None):
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": details or {},
            "correlation_id": correlation_id_of(request),
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def status_for(error: DomainError) -> int:
    for kind, status in STATUS_BY_KIND.items():
        if isinstance(error, kind):
            return status
    return 400


def _validation_details(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
            "problem": e.get("msg"),
            "type": e.get("type"),
        }
        for e in error.errors()
    ]


def _is_unparseable_body(error: dict[str, Any]) -> bool:
    # A body that is not JSON at all (or not sent as JSON) fails as a whole, at loc ("body",).
    return error.get("type") == "json_invalid" or (
        tuple(error.get("loc", ())) == ("body",)
        and error.get("type") in ("model_attributes_type", "dict_type", "missing")
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, error: ApiError):
        return envelope(request, error.status, error.code, error.message, error.details, error.headers)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError):
        headers = (
            {"Retry-After": str(error.details["retry_after_s"])} if isinstance(error, RateLimited) else None
        )
        return envelope(request, status_for(error), error.code, error.message, error.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError):
        if any(_is_unparseable_body(e) for e in error.errors()):
            return envelope(request, 400, "malformed_json", "the request body must be a JSON object")
        return envelope(
            request,
            422,
            "validation_failed",
            "the request does not match the schema",
            _validation_details(error),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return envelope(
            request, error.status_code, code, str(error.detail), headers=getattr(error, "headers", None)
        )

    async def _database_unavailable(request: Request, error: Exception):
        if not unavailable(error):
            return _internal(request)
        log.warning(
            "database unavailable (correlation_id=%s): %s: %s",
            correlation_id_of(request),
            type(error).__name__,
            error,
        )
        request.app.state.runtime.drop_dead_connections()
        return envelope(
            request,
            503,
            "database_unavailable",
            "the database is unavailable; send the request again shortly",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )

    for kind in MAYBE_UNAVAILABLE:
        app.add_exception_handler(kind, _database_unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception):
        return _internal(request)


def _internal(request: Request):
    log.exception("unhandled error (correlation_id=%s)", correlation_id_of(request))
    return envelope(request, 500, "internal_error", "an unexpected error occurred; quote the correlation id")
