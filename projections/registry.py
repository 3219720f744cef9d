"""Every read model the system maintains."""

from __future__ import annotations

from projections import contract_audit_trail, contract_summary
from projections.base import Projection

PROJECTIONS: dict[str, Projection] = {
    p.name: p for p in (contract_summary.PROJECTION, contract_audit_trail.PROJECTION)
}
