"""Each event schema stays compatible with its released version (schemas/released/events/), and the
check does catch what would break a consumer."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson

from infra.runtime.export import event_schemas
from schemas.compatibility import breaking_changes

RELEASED = Path(__file__).resolve().parents[2] / "schemas" / "released" / "events"


def test_every_released_event_schema_is_still_served_compatibly(tmp_path):
    current = {path.name: orjson.loads(path.read_bytes()) for path in event_schemas(tmp_path / "now")}
    released = sorted(RELEASED.glob("*.json"))
    assert len(released) > 40
    problems = {}
    for path in released:
        if path.name == "cloudevent.envelope.json":
            continue
        assert path.name in current, f"{path.name} was released and is no longer published"
        if found := breaking_changes(orjson.loads(path.read_bytes()), current[path.name]):
            problems[path.name] = found
    assert not problems, problems


def test_the_check_refuses_a_removed_a_retyped_and_a_newly_required_field():
    released = orjson.loads((RELEASED / "contract.ContractProvisioned.v1.json").read_bytes())
    broken = copy.deepcopy(released)
    del broken["properties"]["number"]
    broken["properties"]["monthly_fee"] = {"type": "number"}
    broken["properties"]["channel"] = {"type": "string"}
    broken["required"] = [*broken["required"], "channel"]
    found = breaking_changes(released, broken)
    assert sorted(problem.split(":")[0] for problem in found) == ["channel", "monthly_fee", "number"]
    assert "number: removed" in found and "channel: newly required" in found
    assert any(p.startswith("monthly_fee: retyped") and p.endswith("to {'type': 'number'}") for p in found)


def test_an_optional_field_added_with_a_default_is_compatible():
    released = orjson.loads((RELEASED / "client.ClientRegistered.v1.json").read_bytes())
    grown = copy.deepcopy(released)
    grown["properties"]["preferred_channel"] = {"type": "string", "default": "sms"}
    described = copy.deepcopy(released)
    described["properties"]["cin"]["description"] = "The national identity card number."
    assert breaking_changes(released, grown) == [] and breaking_changes(released, described) == []
