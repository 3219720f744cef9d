"""A started process freezes what start-up left alive, so the collector stops walking it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from infra.kernel.heap import THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import asyncio, gc
from infra.runtime.assembly import running
from tests.support import fresh_settings

async def main():
    before = gc.get_freeze_count(), *gc.get_threshold()
    async with running(fresh_settings(kafka=False), relay=False, projector=False):
        print(*before, gc.get_freeze_count(), *gc.get_threshold())

asyncio.run(main())
"""


def test_running_freezes_the_start_up_heap_and_raises_the_thresholds():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, cwd=ROOT, timeout=120
    )
    frozen_before, *thresholds_before, frozen, g0, g1, g2 = map(int, out.stdout.split())
    assert frozen_before == 0 and tuple(thresholds_before) != THRESHOLDS
    assert frozen > 50_000  # the modules, routes and validators of a loaded process
    assert (g0, g1, g2) == THRESHOLDS
