"""The standard OpenTelemetry variables work as in any service, beside the MTF_ ones."""

from __future__ import annotations

from infra.kernel.settings import Settings


def test_the_standard_endpoint_and_service_name_are_read(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "billing-gateway")
    settings = Settings(_env_file=None)
    assert settings.otel_exporter_otlp_endpoint == "http://collector:4318"
    assert settings.telemetry()["service_name"] == "billing-gateway"
    assert settings.traces_recorded  # an exporter is set: every span is recorded unless sampled otherwise


def test_the_mtf_names_and_field_names_still_work(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.setenv("MTF_OTEL_EXPORTER_OTLP_ENDPOINT", "http://mtf-collector:4318")
    assert Settings(_env_file=None).otel_exporter_otlp_endpoint == "http://mtf-collector:4318"
    assert Settings(_env_file=None, otel_exporter_otlp_endpoint=None).otel_exporter_otlp_endpoint is None
