"""API keys mapped to roles and holders, by their hash (infra/kernel/api_keys.py; MTF_API_KEYS / MTF_API_KEYS_FILE)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from commands.access import RefusalWindows, record_refusal, record_repeated_refusals
from gateways.errors import ApiError
from gateways.middleware import correlation_id_of
from gateways.queries import not_found
from infra.kernel import logs, metrics
from infra.kernel.api_keys import default_actor
from infra.kernel.command_context import CommandContext

log = logging.getLogger("mtf.security")

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)

READ_ROLES = ("operator", "auditor", "admin")  # the operator's staff read everything
# A partner (the integrator role) reads only the catalog, and the clients and contracts it brought.
PARTNER_READ_ROLES = (*READ_ROLES, "integrator")


@dataclass(frozen=True)
class Principal:
    key_id: str  # who acts, as recorded on the events: the key's holder, else a fingerprint of the key
    role: str
    scopes: frozenset[str] | None = None  # None: all that the role may do


def partner(who: Principal) -> str | None:
    """The partner a key acts for (its holder), whose view is narrowed to what it brought; None for staff."""
    return who.key_id if who.role == "integrator" else None


def require_visible(who: Principal, row: dict, what: str, row_id) -> None:
    """A row a partner did not bring is answered as missing: 404, as for an id that names nothing."""
    if (brought := partner(who)) is not None and row.get("brought_by") != brought:
        raise not_found(what, row_id)


def authenticate(request: Request, key: str | None) -> Principal:
    if not key:
        raise _unauthenticated(request, "no_key", "an X-API-Key header is required")
    found = request.app.state.runtime.settings.api_key_ring.find(key)
    if found is None:
        raise _unauthenticated(request, "unknown_key", "unknown API key")
    digest, grant = found
    return Principal(grant.holder or default_actor(digest), grant.role, grant.scopes)


def _unauthenticated(request: Request, reason: str, message: str) -> ApiError:
    """A 401, logged and counted: the address and the path, never the key that was sent (an unknown key
    may be a real one mistyped)."""
    address = request.client.host if request.client else "unknown"
    log.warning("unauthenticated (%s): %s %s from %s", reason, request.method, request.url.path, address)
    metrics.unauthenticated.add(1, {"reason": reason})
    return ApiError(401, "unauthenticated", message, headers={"WWW-Authenticate": "ApiKey"})


def allow(*roles: str):
    # One dependency level, not a `Depends(authenticate)` inside it: FastAPI solves each level
    # anew on every request (docs/performance.md, "Measurements behind the code").
    # async: a plain def dependency would cost every request a round trip through the thread pool.
    async def check(request: Request, key: str | None = Depends(api_key_header)) -> Principal:
        principal = authenticate(request, key)
        logs.actor.set(principal.key_id)
        if principal.role not in roles:
            await _keep_audit_entry(request, principal, roles)
            raise ApiError(
                403, "forbidden", f"role '{principal.role}' may not do this", {"allowed_roles": list(roles)}
            )
        if not may_call(principal, roles, request.method, request.url.path):
            scope = required_scope(request)
            await _keep_audit_entry(request, principal, roles)
            raise ApiError(
                403,
                "forbidden",
                f"this key is not granted the scope '{scope}'",
                {"required_scope": scope, "granted_scopes": sorted(principal.scopes)},
            )
        return principal

    check.roles = roles  # read by GET /me to tell a key which operations it may call
    return check


def required_scope(request: Request) -> str:
    return scope_for(request.method, request.url.path)


def scope_for(method: str, path: str) -> str:
    """`read` for every GET; `<resource>:write` for a write under /api/v1/<resource>."""
    if method in ("GET", "HEAD"):
        return "read"
    return path.split("/")[3] + ":write"


def may_call(principal: Principal, roles: tuple[str, ...], method: str, path: str) -> bool:
    """Whether `allow(*roles)` lets the principal through on this route (the path as routed)."""
    return principal.role in roles and (
        principal.scopes is None or scope_for(method, path) in principal.scopes
    )


async def _keep_audit_entry(request: Request, principal: Principal, roles: tuple[str, ...]) -> None:
    """A refused privileged action is recorded as an event, the first of each call in a window; the same
    refusal repeated within the window is counted and recorded once when the window closes; past the limit
    the caller is answered 429 instead. Failing to record never changes the 403."""
    address = request.client.host if request.client else "unknown"
    log.warning(
        "refused privileged action: actor=%s role=%s %s %s from %s",
        principal.key_id,
        principal.role,
        request.method,
        request.url.path,
        address,
    )
    runtime = request.app.state.runtime
    windows = _refusal_windows(request.app, runtime.settings)
    caller, call = (principal.key_id, address), (request.method, request.url.path)
    admission = windows.admit(caller, call)
    if admission == "throttle":
        raise ApiError(
            429,
            "too_many_refusals",
            "too many refused calls from this key and address; wait before trying again",
            headers={"Retry-After": str(windows.retry_after(caller))},
        )
    _keep_flushing(request.app, runtime)
    if admission == "count":
        return
    ctx = CommandContext(
        actor=principal.key_id, role=principal.role, correlation_id=correlation_id_of(request)
    )
    try:
        recorded = await runtime.run_command(
            record_refusal, runtime.store, request.method, request.url.path, list(roles), ctx
        )
        windows.recorded(caller, call, recorded.id)
    except Exception:  # noqa: BLE001 - the refusal stands even if the audit store is unavailable
        log.exception("could not record the refusal (correlation_id=%s)", ctx.correlation_id)


def _refusal_windows(app, settings) -> RefusalWindows:
    if getattr(app.state, "refusal_windows", None) is None:
        app.state.refusal_windows = RefusalWindows(settings.refusal_window_s, settings.refusal_limit)
    return app.state.refusal_windows


def _keep_flushing(app, runtime) -> None:
    """While refusal windows are open, a job records the repeats of those that end (all of them when
    the gateway stops)."""
    flusher = getattr(app.state, "refusal_flusher", None)
    if flusher is None or flusher.done():
        app.state.refusal_flusher = runtime.start_job(_flush_refusals(app.state.refusal_windows, runtime))


async def _flush_refusals(windows: RefusalWindows, runtime) -> None:
    while len(windows):
        stopping = runtime.stopping.is_set()
        for refusal_id, times in windows.closed(everything=stopping):
            ctx = CommandContext(actor="system", role="system")
            try:
                await runtime.run_command(
                    record_repeated_refusals, runtime.store, refusal_id, times, int(windows.window_s), ctx
                )
            except Exception:  # noqa: BLE001 - a lost count must not stop the next ones
                log.exception("could not record %d repeated refusals of %s", times, refusal_id)
        if stopping:
            return
        await asyncio.sleep(1)
