"""What downstream systems see of a person: masked values on the public topics, and the full record on
the compacted personal-data topic (mtf.client-pii.v1), for the consumers entitled to it."""

from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel, Field

from domain.identity import mask, mask_address, mask_email
from domain.privacy import ERASED, PersonalFields

PII_TOPIC_NAME = "client-pii"  # mtf.client-pii.v1: keyed by client id, compacted, a tombstone on erasure
PII_TYPE = "ma.mtf.client.ClientPersonalData"


def mask_name(name: str) -> str:
    """Initials: `Yasmine El Idrissi` is `Y. E. I.`."""
    return " ".join(f"{word[0]}." for word in name.split())


def mask_phone(phone: str) -> str:
    return mask(phone, 4, 2)


MASKS: dict[str, Callable[[str], str]] = {
    "cin": mask,
    "full_name": mask_name,
    "email": mask_email,
    "address": mask_address,
    "phone": mask_phone,
}


def masked(personal: PersonalFields, data: dict[str, Any]) -> dict[str, Any]:
    """The personal fields of a published event's data, masked (an erased one stays `[erased]`)."""
    return {
        name: data[name] if data.get(name) in (None, ERASED) else MASKS[name](data[name])
        for name in personal.fields
        if name in data and name in MASKS
    }


class ClientPersonalData(BaseModel):
    """The value of a record on mtf.client-pii.v1: a client's personal data as of `version` of the client.
    The key is the client id; a null value (tombstone) means the client was erased."""

    client_id: str
    version: int = Field(description="The client's aggregate version this record reflects.")
    cin: str
    full_name: str
    email: str
    address: str
    phone: str | None
    language: str
