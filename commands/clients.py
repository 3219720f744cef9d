"""Client commands: RegisterClient, UpdateClientDetails, ChangeClientStatus (DeleteClient: client_erasure.py)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from commands.base import Command, CommandResult
from commands.partners import partner_of, require_brought
from domain.client import Client
from domain.errors import Conflict
from domain.identity import CIN_INPUT_PATTERN, normalize_cin
from domain.markers import CinRegistration, held
from infra.eventstore.port import ConcurrencyConflict, EventStore
from infra.kernel.command_context import CommandContext

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Address = Annotated[str, StringConstraints(min_length=1, max_length=500)]
# The pattern is documented, not enforced here: the domain checks the CIN and answers `invalid_cin`.
Cin = Annotated[
    str,
    StringConstraints(min_length=1, max_length=20),
    Field(json_schema_extra={"pattern": CIN_INPUT_PATTERN}),
]
Phone = Annotated[str | None, Field(default=None, max_length=20, pattern=r"^\+?[0-9 ]{6,20}$")]
Language = Literal["fr", "ar"]
Ice = Annotated[
    str | None,
    Field(default=None, pattern=r"^[0-9]{15}$", description="A business customer's ICE (15 digits)."),
]


class ClientDetails(Command):
    full_name: Text
    email: Email
    address: Address
    phone: Phone = None
    language: Language = Field(
        default="fr", description="The documents' labels: French, or Arabic beside the French."
    )
    ice: Ice = None


class RegisterClient(ClientDetails):
    cin: Cin


class UpdateClientDetails(ClientDetails):
    pass


class ChangeClientStatus(Command):
    status: Literal["active", "suspended", "closed"]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    reason_code: Literal["customer_request", "non_payment", "fraud", "deceased", "other"] = Field(
        default="other", description="Why, for reports; the reason stays free text beside it."
    )


def register_client(store: EventStore, cmd: RegisterClient, ctx: CommandContext) -> CommandResult:
    cin = normalize_cin(cmd.cin)
    marker_id = CinRegistration.id_for(cin)
    already = Conflict("a client with this CIN already exists", code="client_already_exists")
    found = store.load_any([marker_id]).get(marker_id)
    if held(found):
        raise already
    client = Client(
        cin=cin,
        full_name=cmd.full_name,
        email=cmd.email,
        address=cmd.address,
        phone=cmd.phone,
        language=cmd.language,
        ice=cmd.ice,
        brought_by=partner_of(ctx),
    )
    try:
        position = store.save_as(ctx, client, CinRegistration.claim(found, cin, client.id))
    except ConcurrencyConflict:
        raise already from None  # lost the race to a concurrent registration of the same CIN
    return CommandResult(client.id, position)


def update_client_details(
    store: EventStore, client_id: UUID, cmd: UpdateClientDetails, ctx: CommandContext
) -> CommandResult:
    client = store.load(Client, client_id, what="client")
    require_brought(ctx, client, "client")
    client.update_details(
        full_name=cmd.full_name,
        email=cmd.email,
        address=cmd.address,
        phone=cmd.phone,
        language=cmd.language,
        ice=cmd.ice,
    )
    return CommandResult(client.id, store.save_as(ctx, client))


def change_client_status(
    store: EventStore, client_id: UUID, cmd: ChangeClientStatus, ctx: CommandContext
) -> CommandResult:
    client = store.load(Client, client_id, what="client")
    client.change_status(cmd.status, cmd.reason, cmd.reason_code)
    return CommandResult(client.id, store.save_as(ctx, client))
