"""ASGI entry for multi-worker gateways: each uvicorn worker builds its own app from MTF_* settings."""

from __future__ import annotations

from fastapi import FastAPI

from infra.settings import Settings


def gateway_app() -> FastAPI:
    from gateways.app import create_app

    return create_app(Settings(), relay=False, projector=False)
