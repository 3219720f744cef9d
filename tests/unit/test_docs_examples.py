"""Every curl example in the docs calls an operation the API has, with a body its schema accepts.

The guides are read by integrators who paste the examples; an example the API has outgrown (a
field made required, a list where an object was) answers 422 to the first person who tries it.
The commands are expanded by bash itself (quotes, `$VARIABLES`, continuation lines) with a `curl`
that only prints its arguments."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[2]
GUIDES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
OPENAPI = json.loads((ROOT / "schemas/generated/openapi.json").read_text())
ELIDED = "…"  # an example body shortened on purpose, e.g. {"step":3,…}

# A `curl` that prints its arguments, one per NUL.
PRINTING_CURL = "curl() { printf '%s\\0' \"$@\"; }; API=http://127.0.0.1:8000/api/v1;"


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.S)


def _statements(block: str) -> list[str]:
    """The block's statements, each with its continuation lines and multi-line quoted strings."""
    statements, pending = [], None
    for line in _placeheld(block).splitlines():
        pending = line if pending is None else pending + "\n" + line
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote still open
            continue
        if not pending.rstrip().endswith("\\"):
            statements.append(pending)
            pending = None
    return statements


def _placeheld(text: str) -> str:
    return re.sub(r"<[^<>\n]*>", "ID", text)  # "<contract id>": a placeholder, not a redirection


def _assignment(statement: str) -> bool:
    """`OPS=...; ADMIN=...` or a body kept in a variable; not `NAME=value command` nor `$(...)`."""
    words = shlex.split(statement, comments=True)
    return bool(words) and "$(" not in statement and all(re.match(r"[A-Z_]+=", word) for word in words)


def _examples() -> list[tuple[str, str]]:
    """Each curl command of the guides, after the block's variable assignments that come before it."""
    examples = []
    for guide in GUIDES:
        for block in _shell_blocks(guide.read_text()):
            assignments = []
            for statement in _statements(block):
                if _assignment(statement):
                    assignments.append(statement)
                elif statement.lstrip().startswith("curl "):
                    name = f"{guide.name}: {statement.splitlines()[0][:70]}"
                    examples.append((name, "\n".join([*assignments, statement])))
    return examples


def _arguments(script: str) -> list[str]:
    names = set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", script)) - {"API"}
    ids = "".join(f"{name}=ID;" for name in sorted(names))  # $CLIENT, $OFFER...: some id, unless assigned
    printed = subprocess.run(
        ["bash", "-c", PRINTING_CURL + ids + script], capture_output=True, check=True
    ).stdout
    return printed.decode().split("\0")[:-1]


def _request(arguments: list[str]) -> tuple[str, str, str | None]:
    """The method, the URL's path and the body of a curl call."""
    method, body, url = None, None, None
    it = iter(arguments)
    for arg in it:
        if arg.startswith("-X"):
            method = arg[2:] or next(it)
        elif arg in ("-d", "--data", "--data-raw"):
            body = next(it)
        elif arg in ("-H", "-o"):
            next(it)
        elif not arg.startswith("-"):
            url = arg
    assert url, arguments
    path = urlsplit(url if "://" in url else "http://" + url).path
    return method or ("POST" if body is not None else "GET"), path, body


def _operation(method: str, path: str) -> dict:
    for template, operations in OPENAPI["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^/]+\\\}", "[^/]+", re.escape(template)), path):
            if method.lower() in operations:
                return operations[method.lower()]
    pytest.fail(f"{method} {path} is not an operation of the API")


@cache
def _registry() -> Registry:
    """The OpenAPI document as one resource, so a body schema's `#/components/...` references resolve."""
    return Registry().with_resource("urn:openapi", Resource.opaque(OPENAPI))


def _body_errors(operation: dict, body: str) -> list[str]:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    schema = json.loads(json.dumps(schema).replace('"#/components', '"urn:openapi#/components'))
    validator = Draft202012Validator(schema, registry=_registry())
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
        for e in validator.iter_errors(json.loads(body))
    ]


EXAMPLES = _examples()


def test_the_guides_have_curl_examples_to_check():
    assert len(EXAMPLES) >= 60  # a parser that found nothing would pass every test below


@pytest.mark.parametrize("command", [command for _, command in EXAMPLES], ids=[name for name, _ in EXAMPLES])
def test_a_documented_call_matches_the_api(command: str):
    method, path, body = _request(_arguments(command))
    operation = _operation(method, path)
    if body is None or ELIDED in body:
        return
    assert "requestBody" in operation, f"{method} {path} takes no body, but the example sends one"
    assert _body_errors(operation, body) == []
