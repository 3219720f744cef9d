"""The committed Grafana dashboard asks only for series the processes export, and the observability profile
mounts the files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import yaml

from infra.kernel import metrics

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "observability" / "grafana" / "dashboards" / "mt-facturation.json"
FUNCTIONS = {"sum", "by", "rate", "max", "histogram_quantile", "increase", "le", "group_left"}


def _exported() -> set[str]:
    """The Prometheus names of the instruments in infra/kernel/metrics.py (dots to underscores, the unit
    suffix of seconds, _total on counters, and a histogram's series)."""
    names = {name.replace(".", "_") for name in metrics.GAUGES}
    for kind, name in re.findall(r'create_(counter|histogram)\(\s*"([^"]+)"', _source()):
        base = name.replace(".", "_")
        if kind == "counter":
            names.add(base + "_total")
        else:
            names |= {f"{base}_seconds_{s}" for s in ("bucket", "count", "sum")}
    return names


def _source() -> str:
    return Path(metrics.__file__).read_text()


def _series(expr: str) -> set[str]:
    """The series names in a PromQL expression: what is left once grouping, matchers, ranges and
    functions are taken out."""
    for clause in (r"by \([^)]*\)", r"\{[^}]*\}", r"\[[^\]]*\]"):
        expr = re.sub(clause, "", expr)
    return {word for word in re.findall(r"[a-z_][a-z0-9_]*", expr) if word not in FUNCTIONS}


def test_every_dashboard_query_names_an_exported_series():
    panels = orjson.loads(DASHBOARD.read_bytes())["panels"]
    asked = {name for panel in panels for target in panel["targets"] for name in _series(target["expr"])}
    assert {"mtf_relay_lag", "mtf_commands_total", "http_server_request_duration_seconds_bucket"} <= asked
    assert asked <= _exported(), asked - _exported()


def test_every_alert_names_an_exported_series():
    rules = yaml.safe_load((ROOT / "observability" / "alerts.yml").read_text())["groups"][0]["rules"]
    asked = {name for rule in rules for name in _series(rule["expr"])}
    assert len(rules) == 5 and asked <= _exported(), asked - _exported()


def test_the_observability_profile_mounts_files_that_exist():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    mounted = [v for name in ("otel-collector", "prometheus", "grafana") for v in services[name]["volumes"]]
    for volume in mounted:
        assert (ROOT / volume.split(":")[0]).exists(), volume
