"""Traces leave the processes over OTLP/HTTP: the gateway's command span continues the caller's trace, and
the relay's publish span and the projector's batch span link back to it through the event and its headers."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from infra.devstack.local_kafka import free_port
from tests.flows import random_cin
from tests.processes import background
from tests.support import OPERATOR, eventually, fresh_settings, settings_env

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@contextmanager
def collector():
    """A minimal OTLP/HTTP trace receiver on loopback: (service, span name, trace id, linked trace ids) per span."""
    spans: list[tuple[str, str, str, set[str]]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            request = ExportTraceServiceRequest.FromString(
                self.rfile.read(int(self.headers["Content-Length"]))
            )
            for resource_spans in request.resource_spans:
                service = next(
                    a.value.string_value
                    for a in resource_spans.resource.attributes
                    if a.key == "service.name"
                )
                for scope in resource_spans.scope_spans:
                    spans.extend(
                        (service, s.name, s.trace_id.hex(), {link.trace_id.hex() for link in s.links})
                        for s in scope.spans
                    )
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", spans
    finally:
        server.shutdown()


async def test_a_commands_trace_is_exported_by_the_gateway_and_linked_by_the_projector():
    settings = fresh_settings(kafka=True)
    with collector() as (endpoint, spans):
        env = {
            **settings_env(settings),
            "MTF_OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        }
        port = free_port()
        env["MTF_HTTP_PORT"] = str(port)
        async with background(["gateway"], env), background(["relay"], env), background(["project"], env):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                await eventually(lambda: _ready(client), timeout=45)
                body = {
                    "cin": random_cin(),
                    "full_name": "Amina Benali",
                    "email": "amina@example.ma",
                    "address": "Rabat",
                }
                headers = {**OPERATOR, "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"}
                assert (await client.post("/api/v1/clients", json=body, headers=headers)).status_code == 201

                async def exported() -> bool:
                    ours = {(service, name) for service, name, trace_id, _ in spans if trace_id == TRACE_ID}
                    linked = {(service, name) for service, name, _, links in spans if TRACE_ID in links}
                    return (
                        ("mtf-gateway", "RegisterClient") in ours
                        and ("mtf-projector", "project batch") in linked
                        and ("mtf-relay", "publish")
                        in linked  # the relay's producer span, after the conventions
                    )

                await eventually(exported, timeout=30)


async def _ready(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/ready")).status_code == 200
    except httpx.TransportError:
        return False
