"""Billing and collections read their input with `scan`: every event of some topics, in log order, up to
a position, one span of positions per query."""

from __future__ import annotations

from commands.billing_input import CLIENT_TOPICS
from commands.clients import RegisterClient, register_client
from infra.eventstore.store import open_event_store
from infra.kernel.command_context import CommandContext
from tests.flows import random_cin
from tests.support import fresh_settings

CTX = CommandContext(actor="test", role="operator")


def test_a_scan_in_small_spans_reads_what_one_span_reads_in_log_order_up_to_the_position():
    store = open_event_store(fresh_settings(kafka=False).database_url)
    try:
        registered = [
            register_client(
                store, RegisterClient(cin=random_cin(), full_name="A", email="a@b.ma", address="x"), CTX
            )
            for _ in range(7)
        ]
        up_to = registered[4].position  # the sixth and seventh clients come after it

        whole = list(store.scan(CLIENT_TOPICS, up_to, span=10**9))
        in_spans = list(store.scan(CLIENT_TOPICS, up_to, span=2))

        assert in_spans == whole
        assert [originator for originator, _, _ in whole] == [r.id for r in registered[:5]]
        assert all(topic in CLIENT_TOPICS and state for _, topic, state in whole)
    finally:
        store.close()
