"""The API's printed documents, made by `make docs` from the OpenAPI document and the guides' checked curl examples:
docs/api-reference.pdf (every endpoint with who may call it, what it is for and a curl that works) and
docs/api-process-map.pdf (the operator's and the customer's journeys, step by step, each with its curl).

The curl of an endpoint is the first one the guides give for it (tests/unit/test_docs_examples.py checks those
against the API); an endpoint the guides do not show gets one built from its schema, with `<placeholders>` for
the values a reader supplies.
"""

from __future__ import annotations

import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, Preformatted, SimpleDocTemplate

from infra.pdf import fonts
from infra.pdf.process_steps import JOURNEYS

MONO = "DejaVuSansMono"
METHODS = ("get", "post", "put", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    tag: str
    access: str
    curl: str


def guides(root: Path) -> list[Path]:
    """The guides whose curl examples the documents use, in a fixed order."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def operations(openapi: dict[str, Any], guide_files: list[Path]) -> list[Operation]:
    """Every operation, in the document's tag order, then by path."""
    examples = guide_examples(guide_files)
    tags = [t["name"] for t in openapi.get("tags", [])]
    found = []
    for path, item in openapi["paths"].items():
        for method in METHODS:
            if (op := item.get(method)) is None:
                continue
            curl = next(
                (c for c in examples if _calls(c, method, path) and _standalone(c)), None
            ) or built_curl(openapi, method, path, op)
            found.append(
                Operation(
                    method.upper(),
                    path,
                    op["operationId"],
                    op.get("summary", ""),
                    _first_paragraph(op),
                    op.get("tags", ["other"])[0],
                    access(op),
                    curl,
                )
            )
    return sorted(
        found,
        key=lambda o: (
            tags.index(o.tag) if o.tag in tags else len(tags),
            o.path,
            METHODS.index(o.method.lower()),
        ),
    )


def access(op: dict[str, Any]) -> str:
    schemes = {name for requirement in op.get("security", ()) for name in requirement}
    if "APIKeyHeader" in schemes:
        return "API key: " + ", ".join(op.get("x-roles", ["any role"]))
    if "VisitorToken" in schemes:
        return "the self-service visitor's token"
    return "public"


def guide_examples(guide_files: list[Path]) -> list[str]:
    """The curl commands of the guides' shell blocks, each with its continuation lines and multi-line quoted body
    joined onto one line."""
    commands = []
    for guide in guide_files:
        for block in re.findall(r"```(?:bash|sh)\n(.*?)```", guide.read_text(), re.S):
            commands += [" ".join(c.split()) for c in _statements(block) if c.lstrip().startswith("curl ")]
    return commands


def _statements(block: str) -> list[str]:
    statements, pending = [], ""
    for line in block.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        if pending.rstrip().endswith("\\"):  # a continuation line follows
            pending = pending.rstrip()[:-1]
            continue
        try:
            shlex.split(re.sub(r"<[^<>\n]*>", "ID", pending), comments=True)
        except ValueError:  # a quote still open: the statement goes on
            continue
        statements.append(re.sub(r"\s+#[^'\"]*$", "", pending))  # without its trailing comment
        pending = ""
    return statements


def _calls(curl: str, method: str, path: str) -> bool:
    """Whether the guide's curl calls this operation (`<a placeholder>` stands for one path segment)."""
    plain = re.sub(r"<[^<>]*>", "ID", curl)
    url = re.search(r"(\$API|https?://(?:127\.0\.0\.1|localhost):8000)(/[^\s\"'?]*)", plain)
    if url is None:
        return False
    full = ("/api/v1" if url.group(1) == "$API" else "") + url.group(2)
    said = re.search(r"-X\s*([A-Z]+)", plain)
    sent = (said.group(1) if said else ("POST" if re.search(r"\s-d\s", plain) else "GET")).lower()
    template = "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(path)) + "$"
    return sent == method and re.match(template, full) is not None


def _standalone(curl: str) -> bool:
    """Whether the command carries its own body: a guide's `-d "$S"` needs the lines before it."""
    return re.search(r"-d\s+\"?\$", curl) is None


def built_curl(openapi: dict[str, Any], method: str, path: str, op: dict[str, Any]) -> str:
    url = re.sub(r"\{([^}]+)\}", lambda m: f"<{m.group(1).replace('_', ' ')}>", path)
    url = f"$API{url.removeprefix('/api/v1')}" if url.startswith("/api/v1") else f"http://127.0.0.1:8000{url}"
    parts = [f'curl -s{"" if method == "get" else " -X" + method.upper()} "{url}"']
    if access(op).startswith("API key"):
        parts.append('-H "X-API-Key: $KEY"')
    elif access(op).startswith("the self-service"):
        parts.append('-H "Authorization: Bearer $VISITOR"')
    for parameter in op.get("parameters", ()):
        if parameter["in"] == "header" and parameter.get("required"):
            parts.append(f"-H '{parameter['name']}: <{parameter['name'].lower()}>'")
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        parts.append(f"-H 'content-type: application/json' -d '{_example(openapi, body)}'")
    if "application/pdf" in op.get("responses", {}).get("200", {}).get("content", {}):
        parts.append("-o document.pdf")
    return " ".join(parts)


def _example(openapi: dict[str, Any], schema: dict[str, Any]) -> str:
    schema = _resolved(openapi, schema)
    fields = [
        f'"{name}":{_value(openapi, name, spec)}'
        for name, spec in schema.get("properties", {}).items()
        if name in schema.get("required", [])
    ]
    return "{" + ",".join(fields) + "}"


def _value(openapi: dict[str, Any], name: str, spec: dict[str, Any]) -> str:
    spec = _resolved(openapi, spec)
    if "enum" in spec:
        return f'"{spec["enum"][0]}"'
    if "anyOf" in spec:
        return _value(openapi, name, next(s for s in spec["anyOf"] if s.get("type") != "null"))
    kind = spec.get("type")
    if kind == "object" or "properties" in spec:
        return _example(openapi, spec)
    if kind == "array":
        return "[" + _value(openapi, name, spec.get("items", {})) + "]"
    if kind in ("integer", "number"):
        return str(spec.get("minimum", 1))
    if kind == "boolean":
        return "true"
    return f'"<{name.replace("_", " ")}>"'


def _resolved(openapi: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in spec:
        spec = openapi["components"]["schemas"][spec["$ref"].rsplit("/", 1)[1]]
    if "allOf" in spec and len(spec["allOf"]) == 1:
        return _resolved(openapi, spec["allOf"][0])
    return spec


def _first_paragraph(op: dict[str, Any]) -> str:
    text = op.get("description") or ""
    return " ".join(text.split("\n\n")[0].split())


# --- rendering -------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    fonts.ready()
    if MONO not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(MONO, str(fonts.directory() / "DejaVuSansMono.ttf")))
    body = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=8.5, leading=11.5)
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName=fonts.BOLD, fontSize=18, leading=23, spaceAfter=6
        ),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=fonts.BOLD, fontSize=13, leading=17, spaceBefore=10, spaceAfter=4
        ),
        "h2": ParagraphStyle("h2", parent=body, fontName=fonts.BOLD, fontSize=9.5, leading=13, spaceBefore=6),
        "body": body,
        "muted": ParagraphStyle("muted", parent=body, fontSize=7.5, leading=10, textColor="#4a5560"),
        "code": ParagraphStyle(
            "code",
            parent=body,
            fontName=MONO,
            fontSize=6.8,
            leading=8.6,
            backColor="#eef2f6",
            borderPadding=3,
            spaceBefore=2,
            spaceAfter=6,
        ),
    }


def _curl_block(curl: str, style: ParagraphStyle) -> Preformatted:
    return Preformatted(curl, style, maxLineLength=118, newLineChars="    ")


def _build(title: str, story: list) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="MT-Facturation",
        creator="MT-Facturation",
        invariant=1,
        initialFontName=fonts.REGULAR,
    )

    def number(canvas, document) -> None:
        canvas.setFont(fonts.REGULAR, 7)
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, f"{title} · {document.page}")

    doc.build(story, onFirstPage=number, onLaterPages=number)
    return out.getvalue()


INTRODUCTION = (
    "Every endpoint is under /api/v1. A key goes in the X-API-Key header and carries one role: operator, "
    "auditor, admin or "
    'integrator. Errors always come in one envelope, {"error": {"code", "message", "details", "correlation_id"}}. '
    "A write answers its position in the event log: pass it as consistency_token to a query to read your own write. "
    "In the examples, API=http://127.0.0.1:8000/api/v1; KEY holds a key of a role the endpoint allows, OPS "
    "or OPERATOR an "
    "operator's, ADMIN an admin's, AUDIT or AUDITOR an auditor's, and VISITOR a self-service visitor's "
    "token; a <placeholder> "
    "is a value you supply."
)


def api_reference(openapi: dict[str, Any], guide_files: list[Path]) -> bytes:
    s = _styles()
    tags = {t["name"]: t["description"] for t in openapi.get("tags", [])}
    story: list = [
        Paragraph("MT-Facturation API reference", s["title"]),
        Paragraph(escape(INTRODUCTION), s["body"]),
    ]
    current = None
    for op in operations(openapi, guide_files):
        if op.tag != current:
            current = op.tag
            story += [Paragraph(escape(op.tag), s["h1"]), Paragraph(escape(tags.get(op.tag, "")), s["muted"])]
        entry = [
            Paragraph(f"{op.method} {escape(op.path)}", s["h2"]),
            Paragraph(
                f"<b>{escape(op.summary)}</b> · {escape(op.access)} · <i>{escape(op.operation_id)}</i>",
                s["body"],
            ),
        ]
        if op.description:
            entry.append(Paragraph(escape(op.description), s["muted"]))
        entry.append(_curl_block(op.curl, s["code"]))
        story.append(KeepTogether(entry))
    return _build("MT-Facturation API reference", story)


def process_map(openapi: dict[str, Any], guide_files: list[Path]) -> bytes:
    s = _styles()
    by_id = {op.operation_id: op for op in operations(openapi, guide_files)}
    story: list = [
        Paragraph("MT-Facturation API: the journeys, step by step", s["title"]),
        Paragraph(escape(INTRODUCTION), s["body"]),
    ]
    for journey in JOURNEYS:
        story += [Paragraph(escape(journey.title), s["h1"]), Paragraph(escape(journey.who), s["muted"])]
        for number, step in enumerate(journey.steps, start=1):
            op = by_id[step.operation_id]
            story.append(
                KeepTogether(
                    [
                        Paragraph(f"{number}. {escape(step.title)}", s["h2"]),
                        Paragraph(
                            f"{escape(step.why)} <i>({op.method} {escape(op.path)}, {escape(op.access)})</i>",
                            s["body"],
                        ),
                        _curl_block(op.curl, s["code"]),
                    ]
                )
            )
    return _build("MT-Facturation API journeys", story)
