"""ASGI entry for multi-worker gateways: each uvicorn worker builds its own app from MTF_* settings."""

from __future__ import annotations

from fastapi import FastAPI

from infra.kernel import logs
from infra.kernel.settings import Settings
from infra.runtime.app import create_app


def gateway_app() -> FastAPI:
    settings = Settings()
    logs.configure("mtf-gateway", settings.log_level, settings.log_format)
    return create_app(settings, relay=False, projector=False)
