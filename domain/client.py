"""The Client aggregate: one customer, identified by CIN."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import client_id_for_cin

CLIENT_STATUSES = ("active", "suspended", "closed")


class Client(Aggregate):
    @staticmethod
    def create_id(cin: str, **_: Any) -> UUID:
        return client_id_for_cin(cin)

    @event("ClientRegistered")
    def __init__(self, cin: str, full_name: str, email: str, address: str, phone: str | None) -> None:
        self.cin = cin
        self.full_name = full_name
        self.email = email
        self.address = address
        self.phone = phone
        self.status = "active"
