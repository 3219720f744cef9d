"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from infra.eventstore.store import EVENTS_TABLE, SCHEMA
from infra.messaging.relay import LEADING_BACKENDS
from projections.base import SCHEMA as READ_SCHEMA

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    responses={
        200: {
            "description": "Every check passed: the database, the broker, the relay's and each projection's lag."
        },
        503: {
            "description": "Some check failed; the body is the same report, naming it.",
            "content": {"application/json": {}},
        },
    },
)
async def ready(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    checks: dict[str, dict] = {}
    try:
        async with runtime.pool.acquire() as conn:
            head = await asyncio.wait_for(
                conn.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}"), 2
            )
            relayed = await conn.fetchval(f"SELECT coalesce(max(position), 0) FROM {SCHEMA}.relay_position")
            # Informational: a gateway still takes commands while no relay runs; the lag check fails once they pile up.
            leading = await conn.fetchval(f"SELECT EXISTS ({LEADING_BACKENDS})")
            progress = dict(
                await conn.fetch(f"SELECT projection, position FROM {READ_SCHEMA}.projection_progress")
            )
        checks["database"] = {"ok": True}
        relay_lag = head - relayed
        checks["relay"] = {
            "ok": relay_lag <= runtime.settings.ready_max_relay_lag,
            "lag": relay_lag,
            "leading": leading,
        }
        checks["projections"] = {
            "ok": True,
            "lag": {p.name: max(0, head - progress.get(p.name, 0)) for p in runtime.projector.projections},
        }
    except Exception as error:  # noqa: BLE001 - readiness reports, it does not raise
        checks["database"] = {"ok": False, "error": type(error).__name__}
    checks["broker"] = await _broker_check(runtime.settings)
    healthy = all(c["ok"] for c in checks.values())
    return JSONResponse(
        {"status": "ready" if healthy else "not_ready", "checks": checks}, status_code=200 if healthy else 503
    )


async def _broker_check(settings) -> dict:
    if not settings.kafka_bootstrap:
        return {"ok": True, "mode": "in-process"}
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=2000)
    try:
        await asyncio.wait_for(admin.start(), 3)
        await asyncio.wait_for(admin.list_topics(), 3)
        return {"ok": True, "mode": "kafka"}
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "mode": "kafka", "error": type(error).__name__}
    finally:
        await admin.close()
