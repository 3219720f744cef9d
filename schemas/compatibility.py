"""Whether an event schema can replace the released one without breaking a consumer of the released one.

A consumer of v1 keeps working when every field it knows is still there with the same type, and when it
is not asked for a field it never sent (a producer's new required field would fail a v1 producer's
events against the new schema, and a consumer validating against it). Adding an optional field is fine:
consumers ignore what they do not know. Anything else is a new version (v2, with an upcaster).
"""

from __future__ import annotations

from typing import Any


def breaking_changes(released: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What in `current` breaks a consumer of `released`; empty when it is compatible."""
    problems = []
    old, new = released.get("properties", {}), current.get("properties", {})
    for field, was in old.items():
        if field not in new:
            problems.append(f"{field}: removed")
        elif _shape(was) != _shape(new[field]):
            problems.append(f"{field}: retyped from {_shape(was)} to {_shape(new[field])}")
    for field in sorted(set(current.get("required", ())) - set(released.get("required", ()))):
        problems.append(f"{field}: newly required")
    return problems


def _shape(prop: dict[str, Any]) -> Any:
    """What a field's type says, without its title, description or examples."""
    if "anyOf" in prop:
        return sorted((_shape(p) for p in prop["anyOf"]), key=repr)
    keys = ("type", "format", "$ref", "enum", "const", "pattern")
    shape = {k: prop[k] for k in keys if k in prop}
    if "items" in prop:
        shape["items"] = _shape(prop["items"])
    return shape
