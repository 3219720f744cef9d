"""The gateway serves the built operator workspace at /workspace/, deep links included."""

from __future__ import annotations

from infra.runtime.app import create_app
from tests.support import fresh_settings, serving


async def test_the_workspace_and_its_assets_are_served_and_deep_links_get_the_app(tmp_path):
    (tmp_path / "workspace").mkdir()
    (tmp_path / "assets").mkdir()
    (tmp_path / "workspace" / "index.html").write_text("<!doctype html><title>workspace</title>")
    (tmp_path / "assets" / "workspace-abc.js").write_text("console.log('workspace')")
    async with serving(fresh_settings(kafka=False, web_dist=tmp_path)) as (_, client):
        assert (await client.get("/workspace")).headers["location"] == "/workspace/"
        home = await client.get("/workspace/")
        deep = await client.get("/workspace/contracts/6f1c2d4e-0000-4000-8000-000000000000")
        script = await client.get("/assets/workspace-abc.js")
        missing = await client.get("/assets/workspace-gone.js")
        api = await client.get("/api/v1/clients")
    assert home.status_code == deep.status_code == 200
    assert "<title>workspace</title>" in home.text and deep.text == home.text
    assert script.status_code == 200 and "console.log" in script.text
    assert missing.status_code == 404
    assert api.status_code == 401  # the API is not shadowed by the app


async def test_without_a_build_there_is_no_workspace_route(tmp_path):
    async with serving(fresh_settings(kafka=False, web_dist=tmp_path)) as (_, client):
        assert (await client.get("/workspace/")).status_code == 404


def test_the_app_mounts_the_workspace_only_when_built(tmp_path):
    bare = create_app(fresh_settings(kafka=False, web_dist=tmp_path))
    assert not [r for r in bare.routes if getattr(r, "path", "").startswith("/workspace")]


async def test_the_site_answers_its_own_routes_and_never_an_api_path(tmp_path):
    for front_end in ("workspace", "self-service"):
        (tmp_path / front_end).mkdir()
        (tmp_path / front_end / "index.html").write_text(f"<!doctype html><title>{front_end}</title>")
    (tmp_path / "assets").mkdir()
    async with serving(fresh_settings(kafka=False, web_dist=tmp_path)) as (_, client):
        home, deep = await client.get("/"), await client.get("/mon-espace")
        unknown_api = await client.get("/api/v1/nothing-here")
        wrong_method = await client.delete("/api/v1/clients")
        posted = await client.post("/souscrire")
        workspace = await client.get("/workspace/clients")
        docs = await client.get("/openapi.json")
    assert home.status_code == deep.status_code == 200 and "<title>self-service</title>" in deep.text
    assert unknown_api.status_code == 404 and unknown_api.json()["error"]["code"] == "not_found"
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert posted.status_code == 405 and posted.json()["error"]["code"] == "method_not_allowed"
    assert "<title>workspace</title>" in workspace.text
    assert docs.json()["info"]["title"] == "MT-Facturation API"
