"""Every offer component rule, as properties over generated component lists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.catalog import ALLOWED_KINDS, validate_components
from domain.errors import RuleViolation

whole = st.integers(min_value=1, max_value=10_000)
data = st.builds(
    lambda gb: {"kind": "data", "gb": gb}, st.decimals(min_value="0.5", max_value="1000", places=1)
)
calls = st.builds(lambda h: {"kind": "calls", "hours": h}, whole)
access = st.sampled_from(["fiber", "adsl"]).flatmap(
    lambda k: st.builds(lambda m: {"kind": k, "mbps": m}, whole)
)
hours = lambda kind: st.builds(lambda h: {"kind": kind, "hours": h}, whole)  # noqa: E731


@given(st.lists(st.one_of(data, calls), min_size=1, max_size=2, unique_by=lambda c: c["kind"]))
def test_valid_mobile_offers_pass(components):
    assert {c["kind"] for c in validate_components("mobile", components)} == {c["kind"] for c in components}


@given(access)
def test_internet_needs_exactly_one_access_and_the_landline(access_component):
    assert len(validate_components("internet", [access_component, {"kind": "landline"}])) == 2
    with pytest.raises(RuleViolation) as missing_landline:
        validate_components("internet", [access_component])
    assert missing_landline.value.code == "landline_component_required"


@given(whole, st.none() | whole, st.none() | whole)
def test_landline_quotas_in_whole_hours(national, international, phone):
    components = [{"kind": "national", "hours": national}]
    components += [{"kind": "international", "hours": international}] if international else []
    components += [{"kind": "phone", "hours": phone}] if phone else []
    assert validate_components("landline", components)[0]["kind"] in {"national", "international", "phone"}


@given(
    st.sampled_from(["calls", "national", "international", "phone"]),
    st.decimals(min_value="0.01", max_value="99.99", places=2).filter(lambda d: d != d.to_integral_value()),
)
def test_fractional_hours_are_refused(kind, fraction):
    service = "mobile" if kind == "calls" else "landline"
    components = [{"kind": kind, "hours": str(fraction)}]
    if service == "landline" and kind != "national":
        components.append({"kind": "national", "hours": 1})
    with pytest.raises(RuleViolation) as refused:
        validate_components(service, components)
    assert refused.value.code == "quota_not_whole_hours"


@given(st.sampled_from(sorted(ALLOWED_KINDS)), st.sampled_from(sorted(set().union(*ALLOWED_KINDS.values()))))
def test_components_of_another_service_are_refused(service, kind):
    if kind in ALLOWED_KINDS[service]:
        return
    with pytest.raises(RuleViolation) as refused:
        validate_components(service, [{"kind": kind, "hours": 1, "gb": 1, "mbps": 1}])
    assert refused.value.code == "component_not_allowed_for_service"
    assert refused.value.details["field"] == "components[0]"


@pytest.mark.parametrize(
    ("service", "components", "code"),
    [
        ("mobile", [], "mobile_quota_required"),
        ("mobile", [{"kind": "data", "gb": 0}], "component_quantity_not_positive"),
        ("mobile", [{"kind": "data"}], "component_quantity_required"),
        ("mobile", [{"kind": "data", "gb": "lots"}], "component_quantity_invalid"),
        ("mobile", [{"kind": "data", "gb": 1}, {"kind": "data", "gb": 2}], "duplicate_component"),
        ("internet", [{"kind": "landline"}], "internet_access_required"),
        (
            "internet",
            [{"kind": "fiber", "mbps": 100}, {"kind": "adsl", "mbps": 8}, {"kind": "landline"}],
            "internet_access_required",
        ),
        ("internet", [{"kind": "fiber", "mbps": 99.5}, {"kind": "landline"}], "speed_not_whole_mbps"),
        (
            "internet",
            [{"kind": "fiber", "mbps": 100}, {"kind": "landline", "always_on": False}],
            "landline_must_be_always_on",
        ),
        ("landline", [{"kind": "international", "hours": 2}], "national_hours_required"),
        ("landline", [{"kind": "national", "hours": -1}], "component_quantity_not_positive"),
    ],
)
def test_each_rule_has_its_code(service, components, code):
    with pytest.raises(RuleViolation) as refused:
        validate_components(service, components)
    assert refused.value.code == code


@pytest.mark.parametrize(("gb", "stored"), [(20, "20"), ("20.0", "20"), ("1.50", "1.5"), (100, "100")])
def test_data_quotas_are_stored_in_plain_decimal_notation(gb, stored):
    assert validate_components("mobile", [{"kind": "data", "gb": gb}]) == [{"kind": "data", "gb": stored}]
