"""Our replay of a stream builds the same aggregate as eventsourcing's `project_aggregate`."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from eventsourcing.application import project_aggregate

from domain.contract import Contract
from infra.eventstore.application import replayed


def test_a_contract_replayed_from_its_events_equals_the_library_projection_and_the_live_one():
    contract = Contract.provision(
        client_id=uuid.uuid4(),
        subscriber_id=uuid.uuid4(),
        number="+212612345678",
        offer_id=uuid.uuid4(),
        offer_version=1,
        offer_name="Mobile 10 Go",
        service="mobile",
        monthly_fee=Decimal("49.00"),
        activation_fee=Decimal("99.00"),
        start_date=date(2026, 1, 5),
        commitment_months=12,
    )
    contract.activate(on=date(2026, 1, 5))
    contract.suspend(on=date(2026, 3, 1), reason="unpaid")
    contract.resume(on=date(2026, 3, 9))
    events = contract.collect_events()
    ours = replayed(None, events)
    assert ours.__dict__ == project_aggregate(None, events).__dict__ == contract.__dict__
    assert ours.version == 4 and ours.status == "active"
