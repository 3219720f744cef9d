"""Service components: which parts an offer may have, by service (docs/rules.md, "Catalog").

A component is {"kind": ..., <quantity>}:
  mobile    data {gb}, calls {hours}                   at least one of them
  internet  fiber {mbps} | adsl {mbps}, landline {}     exactly one access; landline mandatory, always on
  landline  national {hours}, international {hours}?, phone {hours}?   whole hours
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.errors import RuleViolation

ALLOWED_KINDS = {
    "mobile": {"data", "calls"},
    "internet": {"fiber", "adsl", "landline"},
    "landline": {"national", "international", "phone"},
}
QUANTITY = {
    "data": "gb",
    "calls": "hours",
    "fiber": "mbps",
    "adsl": "mbps",
    "landline": None,
    "national": "hours",
    "international": "hours",
    "phone": "hours",
}
WHOLE_UNITS = {"hours", "mbps"}


def _violation(code: str, message: str, index: int | None = None, **details: Any) -> RuleViolation:
    field = "components" if index is None else f"components[{index}]"
    return RuleViolation(message, code=code, field=field, **details)


def _quantity(index: int, component: dict[str, Any]) -> dict[str, Any]:
    kind = component["kind"]
    unit = QUANTITY[kind]
    if unit is None:
        if kind == "landline" and component.get("always_on", True) is not True:
            raise _violation("landline_must_be_always_on", "the landline component is always on", index)
        return {"kind": kind}
    value = component.get(unit)
    if value is None or isinstance(value, bool):
        raise _violation("component_quantity_required", f"{kind} needs a '{unit}' quantity", index, unit=unit)
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise _violation("component_quantity_invalid", f"{kind}.{unit} must be a number", index) from None
    if not amount.is_finite() or amount <= 0:
        raise _violation("component_quantity_not_positive", f"{kind}.{unit} must be > 0", index, unit=unit)
    if unit in WHOLE_UNITS and amount != amount.to_integral_value():
        code = "quota_not_whole_hours" if unit == "hours" else "speed_not_whole_mbps"
        raise _violation(code, f"{kind}.{unit} must be a whole number", index, unit=unit)
    normalised = int(amount) if unit in WHOLE_UNITS else format(amount.normalize(), "f")  # "20", never "2E+1"
    return {"kind": kind, unit: normalised}


def validate_components(service: str, components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Checks the components against the service's rules; returns them normalised and sorted."""
    allowed = ALLOWED_KINDS[service]
    seen: set[str] = set()
    normalised = []
    for index, component in enumerate(components):
        kind = component.get("kind")
        if kind not in allowed:
            raise _violation(
                "component_not_allowed_for_service",
                f"{service} offers cannot have a '{kind}' component",
                index,
                allowed=sorted(allowed),
            )
        if kind in seen:
            raise _violation("duplicate_component", f"'{kind}' appears twice", index)
        seen.add(kind)
        normalised.append(_quantity(index, component))
    _check_service_shape(service, seen)
    return sorted(normalised, key=lambda c: c["kind"])


def _check_service_shape(service: str, kinds: set[str]) -> None:
    if service == "mobile" and not kinds & {"data", "calls"}:
        raise _violation("mobile_quota_required", "a mobile offer needs a data quota, a calls quota, or both")
    if service == "internet":
        access = kinds & {"fiber", "adsl"}
        if len(access) != 1:
            raise _violation(
                "internet_access_required", "an internet offer needs exactly one access: fiber or adsl"
            )
        if "landline" not in kinds:
            raise _violation(
                "landline_component_required", "an internet offer must include the landline component"
            )
    if service == "landline" and "national" not in kinds:
        raise _violation("national_hours_required", "a landline offer needs national hours")
