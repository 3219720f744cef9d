"""`/metrics` exposes the series operators watch, scraped as Prometheus would, on the gateway and on the health
port of a process without an API. Real PostgreSQL; the system in this process."""

from __future__ import annotations

import re

import httpx

from infra.devstack.local_kafka import free_port
from infra.runtime.health_server import serving_health
from tests.flows import random_cin, register_client
from tests.support import OPERATOR, eventually, fresh_settings, serving


def _value(exposition: str, name: str, **labels: str) -> float:
    """The sample of `name` whose labels include `labels` (0 when there is none)."""
    for line in exposition.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_the_gateway_exposes_requests_commands_relay_and_projection_series():
    async with serving(fresh_settings(kafka=False)) as (_, client):
        before = (await client.get("/metrics")).text
        cin = random_cin()
        registered = await register_client(client, cin)
        repeated = await client.post(
            "/api/v1/clients",
            json={
                "cin": cin,
                "full_name": "Twice",
                "email": "t@example.ma",
                "address": "Rabat",
            },
            headers=OPERATOR,
        )
        assert repeated.status_code == 409

        async def projected() -> bool:
            answer = await client.get(f"/api/v1/clients/{registered['id']}", headers=OPERATOR)
            return answer.status_code == 200

        await eventually(projected)
        scraped = await client.get("/metrics")
        after = scraped.text

    assert scraped.headers["content-type"].startswith("text/plain")
    accepted = {"command": "RegisterClient", "outcome": "accepted"}
    assert (
        _value(after, "mtf_commands_total", **accepted)
        == _value(before, "mtf_commands_total", **accepted) + 1
    )
    refused = {"command": "RegisterClient", "outcome": "409"}
    assert (
        _value(after, "mtf_commands_total", **refused) == _value(before, "mtf_commands_total", **refused) + 1
    )
    route = {
        "http_route": "/api/v1/clients",
        "http_request_method": "POST",
        "http_response_status_code": "201",
    }
    assert _value(after, "http_server_request_duration_seconds_count", **route) >= 1
    assert _value(after, "mtf_relay_published_total") > _value(before, "mtf_relay_published_total")
    assert _value(after, "mtf_projector_applied_total") > _value(before, "mtf_projector_applied_total")
    assert re.search(r'^mtf_projection_lag\{[^}]*projection="client_directory"', after, re.M)
    assert re.search(r"^mtf_relay_lag\{", after, re.M)


async def test_a_process_without_an_api_serves_its_metrics_on_the_health_port():
    async with serving(fresh_settings(kafka=False)) as (runtime, _):
        port = free_port()
        async with serving_health(runtime, "127.0.0.1", port), httpx.AsyncClient() as probe:
            scraped = await probe.get(f"http://127.0.0.1:{port}/metrics")
    assert scraped.status_code == 200 and "mtf_relay_lag" in scraped.text


async def test_the_receivables_by_aging_bucket_and_the_pdf_backlog_are_exposed():
    from datetime import date, timedelta

    from tests.billing_flows import act, billed, billing_system, contract, customer, offer

    async with billing_system() as (runtime, client):
        mobile = await offer(client, "100.00")
        payer, debtor = await customer(client), await customer(client)
        for holder in (payer, debtor):
            await contract(client, holder, mobile)
        _, invoices = await billed(runtime, client)
        paid = next(i for i in invoices if i["client_id"] == payer)
        body = {"client_id": payer, "amount": paid["gross"], "method": "cash", "reference": "R-1"}
        await act(client, "/api/v1/payments", body, status=201)
        owed = next(i for i in invoices if i["client_id"] == debtor)
        late = date.fromisoformat(owed["due_date"]) + timedelta(days=10)
        runtime.clock.set_today(late)

        async def settled() -> bool:
            return _value(
                (await client.get("/metrics")).text, "mtf_receivables_open", bucket="total"
            ) == float(owed["gross"])

        await eventually(settled)
        scraped = (await client.get("/metrics")).text
        async with runtime.pool.acquire() as conn:  # as the register is while the run renders its PDFs
            await conn.execute("UPDATE readmodel.billing_run_progress SET status = 'issued'")
            await conn.execute(
                "UPDATE readmodel.invoice_register SET document = NULL WHERE client_id = $1", debtor
            )
        rendering = (await client.get("/metrics")).text

    assert _value(scraped, "mtf_receivables_open", bucket="1-30") == float(owed["gross"])
    assert _value(scraped, "mtf_receivables_open", bucket="current") == 0
    assert "mtf_documents_backlog " in scraped and _value(scraped, "mtf_documents_backlog") == 0
    assert _value(rendering, "mtf_documents_backlog") == 1
