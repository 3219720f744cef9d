"""OpenTelemetry tracing. The trace context of a command travels with its events into Kafka headers."""

from __future__ import annotations

import os
from typing import Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Link

_configured = False


def configure(
    service: str,
    *,
    console: bool = False,
    sample_ratio: float | None = None,
    otlp_endpoint: str | None = None,
    service_name: str | None = None,
) -> None:
    """Installs the SDK tracer provider, once per process, named after the process (mtf-gateway, mtf-relay, ...).

    Trace ids are always generated and propagated (W3C traceparent into events and Kafka
    headers), but spans are only *recorded* at `sample_ratio`: by default all of them when an
    exporter is configured and none otherwise, since recording spans nobody exports costs
    gateway CPU (docs/performance.md); `OTEL_TRACES_SAMPLER` replaces that choice. With `otlp_endpoint`, spans are
    sent in batches over OTLP/HTTP to `<otlp_endpoint>/v1/traces` (a collector, Jaeger, Tempo...).
    """
    global _configured
    if _configured:
        return
    ratio = effective_ratio(console=console, sample_ratio=sample_ratio, otlp_endpoint=otlp_endpoint)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name or service}),
        # OTEL_TRACES_SAMPLER (and its _ARG), when set, choose the sampler as in any service
        sampler=None if os.environ.get("OTEL_TRACES_SAMPLER") else ParentBased(TraceIdRatioBased(ratio)),
    )
    if console:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces"))
        )
    trace.set_tracer_provider(provider)
    _configured = True


def effective_ratio(
    *, console: bool, sample_ratio: float | None, otlp_endpoint: str | None, service_name: str | None = None
) -> float:
    """The share of traces recorded: as configured, else all of them when any exporter is set."""
    return sample_ratio if sample_ratio is not None else (1.0 if console or otlp_endpoint else 0.0)


tracer = trace.get_tracer("mt-facturation")


def parent_context(headers: Mapping[str, str]) -> Context | None:
    """The caller's trace to continue: the current span's (an HTTP server span), else the request's `traceparent`."""
    if trace.get_current_span().get_span_context().is_valid:
        return None
    return propagate.extract(headers)


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def links_from(traceparents: list[str | None]) -> list[Link]:
    links = []
    for traceparent in traceparents:
        if not traceparent:
            continue
        span_context = trace.get_current_span(
            propagate.extract({"traceparent": traceparent})
        ).get_span_context()
        if span_context.is_valid:
            links.append(Link(span_context))
    return links
