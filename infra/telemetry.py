"""OpenTelemetry tracing. The trace context of a command travels with its events into Kafka headers."""

from __future__ import annotations

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.trace import Link

_configured = False


def configure(service: str, console: bool = False) -> None:
    global _configured
    if _configured:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if console:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured = True


tracer = trace.get_tracer("mt-facturation")


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def links_from(traceparents: list[str | None]) -> list[Link]:
    links = []
    for traceparent in traceparents:
        if not traceparent:
            continue
        span_context = trace.get_current_span(propagate.extract({"traceparent": traceparent})).get_span_context()
        if span_context.is_valid:
            links.append(Link(span_context))
    return links
