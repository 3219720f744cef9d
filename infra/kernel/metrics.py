"""Metrics: OpenTelemetry instruments, read by Prometheus at `/metrics` on each process, and pushed over
OTLP too when an endpoint is set (the way to collect from a gateway whose workers share one port).

Counters and histograms are recorded where things happen (requests, commands, relayed and projected
events, billing progress, sweep outcomes). What is a state rather than an event (the relay's and each
read model's lag, parked dead letters) is read from the database when `/metrics` is scraped
(`observe`), so an idle process costs nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource

meter = metrics.get_meter("mt-facturation")

http_duration = meter.create_histogram(
    "http.server.request.duration", unit="s", description="HTTP requests answered, by route and status."
)
commands = meter.create_counter(
    "mtf.commands",
    unit="{command}",
    description="Commands run, by name and outcome (accepted or the status).",
)
relayed = meter.create_counter(
    "mtf.relay.published", unit="{event}", description="Events the relay delivered (Kafka or in-process)."
)
projected = meter.create_counter(
    "mtf.projector.applied", unit="{event}", description="(event, read model) pairs applied by the projector."
)
billing_progress = meter.create_counter(
    "mtf.billing.processed",
    unit="{item}",
    description="Billing-run work done, by phase (invoices, documents).",
)
unauthenticated = meter.create_counter(
    "mtf.auth.unauthenticated", unit="{request}", description="401s for want of a known API key, by reason."
)
sweep_outcomes = meter.create_counter(
    "mtf.collections.sweep.outcomes", unit="{event}", description="What collections sweeps decided, by kind."
)

# States, not events: set by `observe` from the database at each scrape; each reports the latest values.
GAUGES = {
    "mtf.relay.lag": ("{event}", "Log head minus relay position."),
    "mtf.projection.lag": ("{event}", "Log head minus the highest position each read model applied."),
    "mtf.dead_letters.parked": (
        "{event}",
        "Events parked by each consumer (projection:<model>, relay:<name>), unresolved.",
    ),
    "mtf.documents.backlog": ("{invoice}", "Invoices of unfinished billing runs still without their PDF."),
    "mtf.receivables.open": ("", "What the portfolio owes today, in MAD, by aging bucket (and total)."),
}
_state: dict[str, dict[tuple[tuple[str, str], ...], float]] = {name: {} for name in GAUGES}


def _reporter(name: str):
    def report(_: CallbackOptions) -> Iterable[Observation]:
        return [Observation(value, dict(attributes)) for attributes, value in _state[name].items()]

    return report


for _name, (_unit, _description) in GAUGES.items():
    meter.create_observable_gauge(_name, [_reporter(_name)], unit=_unit, description=_description)

_configured = False


def configure(service: str, otlp_endpoint: str | None = None) -> None:
    """The process's meter provider, once: a Prometheus reader for `/metrics`, and OTLP/HTTP to
    `<otlp_endpoint>/v1/metrics` every 15 s when an endpoint is set."""
    global _configured
    if _configured:
        return
    from opentelemetry.exporter.prometheus import PrometheusMetricReader

    readers = [PrometheusMetricReader()]
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

        exporter = OTLPMetricExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/metrics")
        readers.append(PeriodicExportingMetricReader(exporter, export_interval_millis=15_000))
    metrics.set_meter_provider(
        MeterProvider(resource=Resource.create({"service.name": service}), metric_readers=readers)
    )
    _configured = True


def observe(relay_lag: int, projection_lag: Mapping[str, int], parked: Mapping[str, int]) -> None:
    """The states the gauges report, as read from the database for this scrape."""
    _state["mtf.relay.lag"] = {(): relay_lag}
    _state["mtf.projection.lag"] = {(("projection", name),): lag for name, lag in projection_lag.items()}
    _state["mtf.dead_letters.parked"] = {(("consumer", name),): count for name, count in parked.items()}


def observe_business(documents_backlog: int, owed: Mapping[str, Decimal]) -> None:
    _state["mtf.documents.backlog"] = {(): documents_backlog}
    _state["mtf.receivables.open"] = {(("bucket", bucket),): float(amount) for bucket, amount in owed.items()}


def exposition() -> tuple[bytes, str]:
    """The Prometheus text exposition of every metric of this process."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
