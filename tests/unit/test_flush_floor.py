"""The floor a disk's flush stalls set under a durable command's p99 (bench FlushProbe.wait_by_time)."""

import pytest

from bench.pipeline import FlushProbe


def probe(latencies: list[float], seconds: float) -> FlushProbe:
    flushes = FlushProbe()
    flushes.latencies, flushes.seconds = latencies, seconds
    return flushes


def test_one_stall_holds_the_arrivals_within_it():
    # 1% of 10 s is 0.1 s: the arrivals in the first 0.1 s of a 0.3 s stall wait 0.2 s or more.
    assert probe([0.001] * 400 + [0.3], 10).wait_by_time(99) == pytest.approx(0.2, abs=1e-6)


def test_stalls_add_up_by_time_not_by_count():
    # 1% of 20 s is 0.2 s: both stalls lie over w = 0.15 for 0.15 + 0.05 s;
    # the probe's own p99 of 1 ms says nothing of it.
    assert probe([0.001] * 900 + [0.3, 0.2], 20).wait_by_time(99) == pytest.approx(0.15, abs=1e-6)


def test_a_calm_disk_sets_no_floor_above_its_flushes():
    assert probe([0.001] * 500, 10).wait_by_time(99) <= 0.001
