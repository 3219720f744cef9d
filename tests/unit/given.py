"""Given-events / when-command / then-events for aggregates, without I/O."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from domain.contract import Contract

START = date(2026, 10, 1)


def provisioned_contract(
    commitment_months: int = 12, *, client_id: uuid.UUID | None = None, start: date = START
) -> Contract:
    return Contract.provision(
        client_id=client_id or uuid.uuid4(),
        subscriber_id=uuid.uuid4(),
        number="+212612345678",
        offer_id=uuid.uuid4(),
        offer_version=1,
        offer_name="Mobile 20 Go",
        service="mobile",
        monthly_fee=Decimal("99.00"),
        activation_fee=Decimal("50.00"),
        start_date=start,
        commitment_months=commitment_months,
    )


def given(*steps: str) -> Contract:
    """A contract whose recorded history is provisioning followed by `steps`; no pending events."""
    contract = provisioned_contract()
    for step in steps:
        {
            "activated": lambda: contract.activate(on=START),
            "suspended": lambda: contract.suspend(on=START, reason="unpaid"),
            "resumed": lambda: contract.resume(on=START),
            "terminated": lambda: contract.terminate(on=START, reason="moved abroad", early_termination=True),
        }[step]()
    contract.collect_events()
    return contract


def then_events(contract: Contract) -> list[str]:
    return [type(e).__name__ for e in contract.collect_events()]
