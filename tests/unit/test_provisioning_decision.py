from __future__ import annotations

import uuid

import pytest

from domain.errors import Conflict
from domain.provisioning import NEW_LINE, ActiveLine, Decision, decide, needs_active_lines

A = ActiveLine(uuid.uuid4(), "+212611111111")
B = ActiveLine(uuid.uuid4(), "+212622222222")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"target": A.contract_id, "active": [A, B]}, Decision("plan_change", A.contract_id)),
        ({"intent": "new_line", "active": [A]}, NEW_LINE),
        ({"number": "+212633333333", "active": [A]}, NEW_LINE),
        ({"number": B.number, "active": [A, B]}, Decision("plan_change", B.contract_id)),
        ({"active": []}, NEW_LINE),
        ({"active": [A]}, Decision("plan_change", A.contract_id)),
        ({"intent": "upgrade", "active": [A]}, Decision("plan_change", A.contract_id)),
    ],
)
def test_decision_rules(kwargs, expected):
    arguments = {"intent": None, "target": None, "number": None, **kwargs}
    assert decide(**arguments) == expected
    if not needs_active_lines(intent=arguments["intent"], target=arguments["target"]):
        # The handler skips reading the lines here: the decision must not depend on them.
        assert decide(**{**arguments, "active": []}) == expected


@pytest.mark.parametrize(
    ("intent", "target", "needed"),
    [
        (None, None, True),
        ("upgrade", None, True),
        ("new_line", None, False),
        (None, A.contract_id, False),
        ("upgrade", B.contract_id, False),
    ],
)
def test_only_rules_after_target_and_new_line_intent_read_the_clients_lines(intent, target, needed):
    assert needs_active_lines(intent=intent, target=target) is needed


def test_several_candidates_are_ambiguous_and_listed():
    with pytest.raises(Conflict) as refused:
        decide(intent=None, target=None, number=None, active=[A, B])
    assert refused.value.code == "ambiguous_target"
    assert {c["number"] for c in refused.value.details["candidates"]} == {A.number, B.number}


def test_upgrade_without_a_contract_is_refused():
    with pytest.raises(Conflict) as refused:
        decide(intent="upgrade", target=None, number=None, active=[])
    assert refused.value.code == "no_contract_to_change"
