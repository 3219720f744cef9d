from __future__ import annotations

import pytest

from domain.errors import InvalidTransition, RuleViolation
from tests.unit.given import START, given, provisioned_contract, then_events

WHEN = {
    "activate": lambda c: c.activate(on=START),
    "suspend": lambda c: c.suspend(on=START, reason="unpaid"),
    "resume": lambda c: c.resume(on=START),
    "terminate": lambda c: c.terminate(on=START, reason="moved abroad", early_termination=True),
}

HISTORIES = {
    "draft": (),
    "active": ("activated",),
    "suspended": ("activated", "suspended"),
    "terminated": ("activated", "terminated"),
}

LEGAL = {
    ("draft", "activate"): ("ContractActivated", "active"),
    ("active", "suspend"): ("ContractSuspended", "suspended"),
    ("suspended", "resume"): ("ContractResumed", "active"),
    ("active", "terminate"): ("ContractTerminated", "terminated"),
    ("suspended", "terminate"): ("ContractTerminated", "terminated"),
}


def test_provisioning_records_one_event_and_starts_in_draft():
    contract = provisioned_contract()
    assert then_events(contract) == ["ContractProvisioned"]
    assert contract.status == "draft"


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL))
def test_legal_transition_records_its_event(state, action):
    contract = given(*HISTORIES[state])
    WHEN[action](contract)
    event, status = LEGAL[(state, action)]
    assert then_events(contract) == [event]
    assert contract.status == status


@pytest.mark.parametrize(
    ("state", "action"), sorted((s, a) for s in HISTORIES for a in WHEN if (s, a) not in LEGAL)
)
def test_illegal_transition_is_refused_with_current_state_and_records_nothing(state, action):
    contract = given(*HISTORIES[state])
    with pytest.raises(InvalidTransition) as refused:
        WHEN[action](contract)
    assert refused.value.details["current_status"] == state
    assert then_events(contract) == []


def test_terminated_is_final_even_after_resume_attempts():
    contract = given("activated", "suspended", "terminated")
    for action in WHEN.values():
        with pytest.raises(InvalidTransition):
            action(contract)
    assert contract.status == "terminated"


@pytest.mark.parametrize("months", [1, 6, 36, -12])
def test_commitment_must_be_0_12_or_24(months):
    with pytest.raises(RuleViolation) as refused:
        provisioned_contract(commitment_months=months)
    assert refused.value.code == "invalid_commitment"
