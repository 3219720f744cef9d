"""ChangeSubscriberStatus: the admin action on a service line. Lines themselves come from provisioning."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import StringConstraints

from commands.base import Command, CommandResult
from domain.subscriber import Subscriber
from infra.eventstore.port import EventStore
from infra.kernel.command_context import CommandContext


class ChangeSubscriberStatus(Command):
    status: Literal["active", "suspended", "closed"]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


def change_subscriber_status(
    store: EventStore, subscriber_id: UUID, cmd: ChangeSubscriberStatus, ctx: CommandContext
) -> CommandResult:
    line = store.load(Subscriber, subscriber_id, what="subscriber")
    line.change_status(cmd.status, cmd.reason)
    return CommandResult(line.id, store.save_as(ctx, line))
