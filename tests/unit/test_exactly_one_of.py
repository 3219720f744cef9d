"""Where a command takes exactly one of two fields, its JSON Schema says so, and agrees with its validator."""

from __future__ import annotations

from itertools import product
from uuid import uuid4

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from commands.contracts import ProvisionContract

NEW_CLIENT = {"cin": "AB123456", "full_name": "Amina Benali", "email": "amina@example.ma", "address": "Rabat"}
CASES = [
    (ProvisionContract, {"offer_id": str(uuid4())}, {"client_id": str(uuid4()), "client": NEW_CLIENT}),
]
ABSENT = object()


def _accepted_by_model(model: type[BaseModel], body: dict) -> bool:
    try:
        model.model_validate(body)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("model", "base", "either"), CASES, ids=[model.__name__ for model, _, _ in CASES])
def test_the_schema_accepts_a_body_exactly_when_the_command_does(
    model: type[BaseModel], base: dict, either: dict
):
    schema = Draft202012Validator(model.model_json_schema())
    (first, value_1), (second, value_2) = either.items()
    agreed = []
    for one, two in product((ABSENT, None, value_1), (ABSENT, None, value_2)):
        body = dict(base) | {k: v for k, v in ((first, one), (second, two)) if v is not ABSENT}
        by_schema, by_model = schema.is_valid(body), _accepted_by_model(model, body)
        assert by_schema == by_model, (body, by_schema, by_model)
        agreed.append(by_model)
    assert agreed.count(True) == 4  # one of them given, the other absent or null: 2 x 2 of the 9 bodies
