"""Log lines are JSON objects that tie themselves to their request, trace, process and actor."""

from __future__ import annotations

import logging
import sys

import orjson
from opentelemetry.sdk.trace import TracerProvider

from infra.kernel import logs


def _line(formatter: logging.Formatter, message: str, exc_info=None) -> dict:
    record = logging.LogRecord("mtf.test", logging.WARNING, __file__, 1, message, (), exc_info)
    return orjson.loads(formatter.format(record))


def test_a_line_carries_the_role_and_what_the_context_knows():
    formatter = logs.JsonFormatter("mtf-relay")
    assert _line(formatter, "quiet") | {"ts": None} == {
        "ts": None,
        "level": "WARNING",
        "logger": "mtf.test",
        "message": "quiet",
        "role": "mtf-relay",
    }
    correlation, actor = logs.correlation_id.set("corr-7"), logs.actor.set("key:abc")
    try:
        with TracerProvider().get_tracer("t").start_as_current_span("s") as span:
            line = _line(formatter, "in a request")
            assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
    finally:
        logs.correlation_id.reset(correlation)
        logs.actor.reset(actor)
    assert (line["correlation_id"], line["actor"]) == ("corr-7", "key:abc")


def test_an_exception_is_in_the_same_line():
    try:
        raise ValueError("boom")
    except ValueError:
        line = _line(logs.JsonFormatter("mtf"), "failed", sys.exc_info())
    assert "ValueError: boom" in line["exception"] and line["message"] == "failed"
