"""The short seeded fault soak CI runs: one round of every fault kind against the distributed system
(its own PostgreSQL and Kafka, gateway, relay, projector, `mtf bill` and the sweep), then the invariants.
`make soak` runs the long one."""

from __future__ import annotations

from collections import Counter

from tests.soak.__main__ import print_report
from tests.soak.faults import KINDS
from tests.soak.run import Config, soak

SEED = 20261207


async def test_a_seeded_round_of_every_fault_kind_loses_nothing_and_breaks_no_invariant(tmp_path):
    report = await soak(Config(faults=len(KINDS), seed=SEED, clients=30, workdir=tmp_path))
    print_report(report)

    assert report.failure is None, report.failure
    assert Counter(kind for kind, _, _ in report.faults) == Counter(KINDS)  # each kind once
    assert report.accepted["provision_contract"] > 0 and report.accepted["record_payment"] > 0
    assert report.periods, "no billing run was started"
    assert len(report.verdicts) == 7
    broken = [f"{v.name}: {v.detail}" for v in report.verdicts if not v.ok]
    assert not broken, broken
