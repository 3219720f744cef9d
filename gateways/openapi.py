"""The OpenAPI document's error answers: each status an operation can give, with the one envelope.

FastAPI documents a 422 with its own `HTTPValidationError` body, which this API never sends, and
no other error. A client generated from that document would not know the envelope, nor that a
command can answer 409 or 503. The statuses are derived from what each operation is: one that
needs a key can answer 401 and 403, one with an id in its path 404, a write 404 (an id in its
body) and 409, one with a body 400 and 413, every one 422 and 503. The API fuzz test checks the
answers against this document.
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import FastAPI
from pydantic import BaseModel, Field

WHY: dict[int, str] = {
    400: "The body is not JSON, or not a JSON object (`malformed_json`), or `If-Match` is not an ETag "
    "(`invalid_if_match`).",
    401: "No API key or an unknown one (`unauthenticated`); on the self-service paths, no valid visitor token.",
    403: "The key's role or scopes do not allow this operation (`forbidden`).",
    404: "An id in the path or the body names nothing.",
    409: "The current state does not allow it, or it collides with existing state, a concurrent write, or an "
    "`Idempotency-Key` already used with another body.",
    412: "`If-Match` names a version of the resource older than its current one (`version_mismatch`): "
    "read it again, then decide.",
    410: "This history was erased with the client's personal data (`history_erased`).",
    413: "The body is larger than the configured limit (`payload_too_large`).",
    422: "The request does not match the schema (`validation_failed`, with each field's problem in `details`), "
    "or breaks a business rule.",
    429: "Too many refused calls from this key and address within the window (`too_many_refusals`); or too "
    "many verification requests for this CIN or number "
    "(the wait grows with each request past the allowance), or too "
    "many subscriptions or number holds from this address; wait `Retry-After` seconds.",
    503: "The database is unavailable (`database_unavailable`), or the read models have not reached the requested "
    "consistency token yet (`projection_lagging`); send it again after `Retry-After` seconds.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending the request again.",
        "schema": {"type": "integer"},
    }
}
WRITES = {"post", "put", "patch", "delete"}
PDF = {
    200: {
        "description": "The PDF.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
CONSISTENCY_TOKEN = {
    "description": "The command's position in the event log, as `position` in the body: "
    "pass it as `consistency_token` to a "
    "query to read this write.",
    "schema": {"type": "integer"},
}
LOCATION = {"description": "The path of what was created.", "schema": {"type": "string"}}
LOCATED = {
    "/api/v1/clients",
    "/api/v1/offers",
    "/api/v1/contracts",
    "/api/v1/discounts",
    "/api/v1/payments",
    "/api/v1/billing-runs",
}


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, machine-readable: branch on this, not on the message.")
    message: str = Field(description="For people; may change.")
    details: dict[str, Any] | list[dict[str, Any]] = Field(
        description="What the code needs to be acted on, e.g. the field or the current state."
    )
    correlation_id: str = Field(description="The request's X-Correlation-ID; quote it to support.")


class ErrorEnvelope(BaseModel):
    """Every error the API answers, whatever the status."""

    error: ErrorBody


def document_errors(app: FastAPI) -> None:
    """Wraps `app.openapi` so that the document lists each operation's error statuses."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            _add_envelope(document)
            schemas = document["components"]["schemas"]
            for path, operations in document["paths"].items():
                for method, operation in operations.items():
                    _document(path, method, operation)
                    _document_write_headers(path, method, operation, schemas)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_envelope(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(envelope.pop("$defs"))
    schemas["ErrorEnvelope"] = envelope
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _document(path: str, method: str, operation: dict[str, Any]) -> None:
    if not path.startswith("/api/"):
        return
    responses = operation["responses"]
    for status in sorted(statuses(path, method, operation)):
        answer = {
            "description": WHY[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
        }
        if status in (429, 503):
            answer["headers"] = RETRY_AFTER
        responses[str(status)] = answer
    operation["responses"] = dict(sorted(responses.items()))


def _document_write_headers(
    path: str, method: str, operation: dict[str, Any], schemas: dict[str, Any]
) -> None:
    """An answer whose body carries a log `position` also sends it as `X-Consistency-Token`; creations say
    where with `Location`."""
    for status, answer in operation["responses"].items():
        if not status.startswith("2"):
            continue
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        model = schemas.get(schema.get("$ref", "").rpartition("/")[2], {})
        headers = {}
        if "position" in model.get("properties", {}):
            headers["X-Consistency-Token"] = CONSISTENCY_TOKEN
        if method == "post" and status in ("201", "202") and path in LOCATED:
            headers["Location"] = LOCATION
        if headers:
            answer["headers"] = headers


def statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it is."""
    headers = {p["name"].lower() for p in operation.get("parameters", ()) if p["in"] == "header"}
    found = {422, 503}
    schemes = {name for requirement in operation.get("security", ()) for name in requirement}
    if "APIKeyHeader" in schemes:
        found |= {401, 403, 429}
    # a self-service visitor's token, required or optional
    if "VisitorToken" in schemes or "authorization" in headers:
        found |= {401}
    if "{" in path or "x-draft-token" in headers:
        found |= {404}
    if "requestBody" in operation:
        found |= {400, 413}
    if method in WRITES:
        found |= {404, 409}
    # requests counted per CIN, number and address; never 401: the answer tells nothing
    if path.endswith("/landing/verifications"):
        found |= {429}
    if path.endswith("/landing/subscriptions"):  # a CIN on file needs its verified owner
        found |= {401, 429}
    if path.endswith("/landing/draft/number"):  # holds counted per address
        found |= {429}
    if path.endswith("/landing/verifications/{challenge_id}/code"):  # a wrong, expired or used code
        found |= {401}
    if path.startswith("/api/v1/event-history/"):
        found |= {410}
    if "if-match" in headers:
        found |= {400, 412}
    return found
