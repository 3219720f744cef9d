"""Serves the built front ends (web/dist): the operator workspace at /workspace/, their shared
hashed files at /assets/.

A path under /workspace/ that is not a file is one of the single-page app's own routes
(/workspace/clients/...), so it gets the app's index.html and the app's router takes over.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WORKSPACE = "/workspace"


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


def serve_front_ends(app: FastAPI, dist: Path) -> bool:
    """Mounts the workspace when it has been built (`make run` builds it); says whether it was."""
    workspace = dist / "workspace"
    if not workspace_built(dist):
        return False
    app.add_api_route(WORKSPACE, lambda: RedirectResponse(f"{WORKSPACE}/"), include_in_schema=False)
    app.mount("/assets", StaticFiles(directory=dist / "assets", check_dir=False), name="assets")
    app.mount(f"{WORKSPACE}/", SinglePageApp(directory=workspace, html=True), name="workspace")
    return True
