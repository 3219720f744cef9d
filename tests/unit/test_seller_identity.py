"""The seller's legal identity comes from configuration, and production does not start with placeholders."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.kernel.settings import Settings

MASTER_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # base64 of 32 bytes
REAL = {
    "operator_ice": "001234567000089",
    "operator_if": "12345678",
    "operator_rc": "Rabat 123456",
    "operator_patente": "25123456",
}


def test_production_refuses_the_placeholder_legal_identifiers_and_names_them():
    with pytest.raises(ValidationError) as refused:
        Settings(
            _env_file=None, profile="production", operator_ice=REAL["operator_ice"], master_key=MASTER_KEY
        )
    message = str(refused.value)
    assert (
        "tax_id" in message
        and "trade_register" in message
        and "patente" in message
        and "'ice'" not in message
    )


def test_production_starts_with_real_identifiers_and_development_with_the_placeholders():
    operator = Settings(
        _env_file=None, profile="production", operator_capital="25 000 000 MAD", master_key=MASTER_KEY, **REAL
    ).operator
    assert (operator.ice, operator.tax_id, operator.trade_register, operator.patente, operator.capital) == (
        "001234567000089",
        "12345678",
        "Rabat 123456",
        "25123456",
        "25 000 000 MAD",
    )
    assert Settings(_env_file=None).operator.placeholders() == ["ice", "tax_id", "trade_register", "patente"]
