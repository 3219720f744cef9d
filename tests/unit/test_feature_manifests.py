"""Every route module, read model and event payload module belongs to exactly one feature's manifest
(infra/runtime/features.py): one forgotten there would be served, projected or published by nobody."""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter

import gateways
import projections
from infra.runtime.features import FEATURES, PROJECTIONS, routers
from schemas.catalog import payload_modules


def _modules_having(package, attribute: str) -> set[str]:
    names = (f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__))
    return {name for name in names if hasattr(importlib.import_module(name), attribute)}


def test_every_route_module_is_in_one_feature():
    declared = Counter(f"gateways.{name}" for feature in FEATURES for name in feature.routes)
    assert set(declared) == _modules_having(gateways, "router")
    assert max(declared.values()) == 1


def test_every_read_model_is_in_one_feature():
    declared = Counter(p.name for feature in FEATURES for p in feature.read_models)
    defined = {importlib.import_module(m).PROJECTION.name for m in _modules_having(projections, "PROJECTION")}
    assert set(declared) == defined == set(PROJECTIONS)
    assert max(declared.values()) == 1


def test_every_event_payload_module_is_in_one_feature_and_in_the_catalog():
    declared = Counter(module.__name__ for feature in FEATURES for module in feature.events)
    assert set(declared) == {module.__name__ for module in payload_modules()}
    assert max(declared.values()) == 1


def test_the_app_serves_every_features_routes():
    paths = {route.path for router in routers() for route in router.routes}
    assert {"/api/v1/clients", "/api/v1/invoices", "/api/v1/landing/verifications", "/ready"} <= paths
