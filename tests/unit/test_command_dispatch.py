"""How the gateway hands a command to its handler: services and context by parameter name, the rest in order."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from commands.retry import retry_on_conflict
from gateways.commanding import _bound, _command_name
from infra.kernel.command_context import CommandContext

RUNTIME = SimpleNamespace(store="the store", clock="the clock", operator="the operator")
CTX = CommandContext(actor="key:test", role="operator")


def provision_contract(store, clock, operator, cmd, ctx, idempotency=None, hold=None):
    return store, clock, operator, cmd, ctx, idempotency, hold


@retry_on_conflict
def delete_client(store, client_id, ctx):
    return store, client_id, ctx


def hold_number(store, clock, kind, holder, current, hold_for, ctx, draw="default"):
    return kind, holder, current, hold_for, ctx, draw


def test_services_and_context_are_filled_in_by_name_and_the_arguments_in_order():
    assert _bound(provision_contract, RUNTIME, CTX, ("cmd", "key"), {})() == (
        "the store",
        "the clock",
        "the operator",
        "cmd",
        CTX,
        "key",
        None,
    )
    assert _bound(delete_client, RUNTIME, CTX, ("client-1",), {})() == ("the store", "client-1", CTX)
    assert _bound(hold_number, RUNTIME, CTX, ("mobile", "h", None, 30), {"draw": "fixed"})() == (
        "mobile",
        "h",
        None,
        30,
        CTX,
        "fixed",
    )


def test_a_context_after_missing_optional_arguments_is_still_given():
    def handler(store, cmd, note=None, *, ctx):
        return cmd, note, ctx

    assert _bound(handler, RUNTIME, CTX, ("cmd",), {})() == ("cmd", None, CTX)


def test_too_many_arguments_are_refused_before_the_handler_runs():
    with pytest.raises(TypeError):
        _bound(delete_client, RUNTIME, CTX, ("client-1", "extra"), {})


def test_the_span_is_named_after_the_command():
    assert [_command_name(h) for h in (provision_contract, delete_client, hold_number)] == [
        "ProvisionContract",
        "DeleteClient",
        "HoldNumber",
    ]
