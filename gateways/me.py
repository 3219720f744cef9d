"""What the calling key is, and which operations it may call: a front end shows only those."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from gateways.auth import PARTNER_READ_ROLES, Principal, allow, may_call
from gateways.operations import roles_of

router = APIRouter(prefix="/api/v1", tags=["access"])


class Me(BaseModel):
    key_id: str = Field(
        description="Who the key acts as, as recorded on the events it causes: its holder (staff:<login> or "
        "partner:<name>), or a fingerprint of the key when it names none; never the key."
    )
    role: str = Field(description="operator, auditor, admin or integrator.")
    scopes: list[str] | None = Field(
        description="The key's scopes; null when it has all that its role may do."
    )
    operations: list[str] = Field(
        description="The operationIds this key may call, from the same rules that refuse it a 403."
    )
    today: date = Field(
        description="The system's today (its one clock), for dates a front end proposes or checks before sending."
    )


@router.get("/me", response_model=Me)
async def who_am_i(request: Request, principal: Principal = Depends(allow(*PARTNER_READ_ROLES))) -> Me:
    """The key's role, scopes and the operations it may call. Nothing secret: the key itself is not in it."""
    return Me(
        key_id=principal.key_id,
        role=principal.role,
        scopes=sorted(principal.scopes) if principal.scopes is not None else None,
        operations=sorted(_callable_operations(request, principal)),
        today=request.app.state.runtime.clock.today(),
    )


def _callable_operations(request: Request, principal: Principal) -> set[str]:
    found = set()
    for route in request.app.routes:
        if not isinstance(route, APIRoute):
            continue
        roles = roles_of(route)
        if roles is None:  # public, or the self-service visitor's token: not a key's business
            continue
        found |= {
            route.operation_id for method in route.methods if may_call(principal, roles, method, route.path)
        }
    return found
