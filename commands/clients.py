"""RegisterClient: a new customer, unique by CIN."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from commands.base import Command, CommandResult
from domain.client import Client
from domain.errors import Conflict
from domain.identity import client_id_for_cin, normalize_cin
from infra.command_context import CommandContext
from infra.event_store import ConcurrencyConflict, EventStore

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RegisterClient(Command):
    cin: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    full_name: Text
    email: Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    address: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    phone: Annotated[str | None, Field(default=None, max_length=20)] = None


def register_client(store: EventStore, cmd: RegisterClient, ctx: CommandContext) -> CommandResult:
    cin = normalize_cin(cmd.cin)
    client_id = client_id_for_cin(cin)
    already = Conflict("a client with this CIN already exists", code="client_already_exists", client_id=str(client_id))
    if store.exists(client_id):
        raise already
    client = Client(cin=cin, full_name=cmd.full_name, email=cmd.email, address=cmd.address, phone=cmd.phone)
    try:
        position = store.save_as(ctx, client)
    except ConcurrencyConflict:
        raise already from None  # lost the race to a concurrent registration of the same CIN
    return CommandResult(client.id, position)
