"""Billing reads the log, not the read models: a contract event it does not know would be skipped silently and
bill the wrong days. Every contract event is either read by billing or listed as changing nothing billed."""

from __future__ import annotations

from commands.billing_input import CONTRACT, FIELDS, NOT_BILLED
from schemas.catalog import EVENTS


def test_every_contract_event_is_read_by_billing_or_said_to_change_nothing_billed():
    contract_events = {topic for topic in EVENTS if topic.startswith(CONTRACT)}
    read = {topic for topic in FIELDS if topic.startswith(CONTRACT)}
    assert contract_events == read | set(NOT_BILLED), contract_events ^ (read | set(NOT_BILLED))
    assert not read & set(NOT_BILLED)
