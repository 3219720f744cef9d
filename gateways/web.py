"""Serves the built front ends (web/dist): the operator workspace at /workspace/, the self-service
site at /, and their shared hashed files at /assets/.

A path under /workspace/ that is not a file is one of the workspace's own routes
(/workspace/clients/...), so it gets the workspace's index.html and its router takes over. Any
other GET that no API route answers is one of the site's routes (/souscrire, /mon-espace) and gets
the site's index.html; API paths are never answered with a page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WORKSPACE = "/workspace"
NOT_THE_SITE = ("api/", "assets/", "workspace", "docs", "redoc", "openapi.json", "health", "ready")


class SinglePageApp(StaticFiles):
    async def get_response(self, path: str, scope: Scope):
        try:
            return await super().get_response(path, scope)
        except HTTPException as missing:
            if missing.status_code != 404 or path.startswith("assets/"):
                raise
            return await super().get_response("index.html", scope)


def workspace_built(dist: Path) -> bool:
    return (dist / "workspace" / "index.html").is_file()


def site_built(dist: Path) -> bool:
    return (dist / "self-service" / "index.html").is_file()


def serve_front_ends(app: FastAPI, dist: Path) -> bool:
    """Mounts what has been built (`make run` builds it); says whether the workspace was."""
    if not workspace_built(dist):
        return False
    app.add_api_route(WORKSPACE, lambda: RedirectResponse(f"{WORKSPACE}/"), include_in_schema=False)
    app.mount("/assets", StaticFiles(directory=dist / "assets", check_dir=False), name="assets")
    app.mount(f"{WORKSPACE}/", SinglePageApp(directory=dist / "workspace", html=True), name="workspace")
    if site_built(dist):
        _serve_site(app, dist / "self-service" / "index.html")
    return True


def _serve_site(app: FastAPI, index: Path) -> None:
    # A GET route added last, not a mount at "/": a mount would take every method and path that no
    # route fully matches, turning an API's 405 into the site's page.
    async def site(path: str = "") -> FileResponse:
        if path.startswith(NOT_THE_SITE):
            raise HTTPException(404)
        return FileResponse(index, media_type="text/html", headers={"Cache-Control": "no-cache"})

    app.add_api_route("/{path:path}", site, methods=["GET", "HEAD"], include_in_schema=False)
