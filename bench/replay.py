"""Replay benchmark: `mtf replay` of every read model over a log of clients, contracts and a month's
invoices, against a baseline measured in the same run: reading the same log raw (every stored event,
page by page, decoded into its CloudEvent) with nothing applied.

    python -m infra.devstack.local_stack --postgres -- python bench/replay.py --n 20000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.billing_run import PERIOD, seed  # noqa: E402
from bench.pipeline import PeakRss  # noqa: E402
from infra.eventstore.store import open_event_store  # noqa: E402
from projections.replay import PAGE  # noqa: E402
from schemas.envelopes import public_cloudevents  # noqa: E402
from tests.support import fresh_settings, settings_env  # noqa: E402


def raw_read(database_url: str) -> tuple[int, float]:
    """(events read, seconds): the log page by page, each public event made into its CloudEvent."""
    store = open_event_store(database_url)
    try:
        head, position, events = store.head(), 0, 0
        started = time.perf_counter()
        while position < head:
            notifications = store.notifications(position, PAGE)
            if not notifications:
                break
            events += len(public_cloudevents(notifications, store.decode_state))
            position = notifications[-1].id
        return events, time.perf_counter() - started
    finally:
        store.close()


def replay(env: dict[str, str]) -> tuple[int, float, float]:
    """(events applied, seconds, peak RSS MiB) of `mtf replay` as its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.runtime.cli", "replay"], env=env, stdout=subprocess.PIPE, text=True
    )
    with PeakRss([process.pid]) as rss:
        output, _ = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"mtf replay failed: {output[-2000:]}")
    applied = int(output.split("replayed ", 1)[1].split(" ", 1)[0])
    return applied, seconds, rss.peak / 2**20


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=int(os.environ.get("REPLAY_N", 20_000)), help="contracts")
    args = parser.parse_args()
    settings = fresh_settings(kafka=False, fixed_today="2026-11-02")
    env = {**settings_env(settings), "MTF_KAFKA_BOOTSTRAP": "", "MTF_FIXED_TODAY": "2026-11-02"}
    counts = await asyncio.to_thread(seed, settings.database_url, args.n)
    billed = subprocess.run(
        [sys.executable, "-m", "infra.runtime.cli", "bill", PERIOD], env=env, capture_output=True, text=True
    )
    if billed.returncode != 0:
        raise SystemExit(f"mtf bill failed: {billed.stderr[-2000:]}")

    read, read_s = await asyncio.to_thread(raw_read, settings.database_url)
    applied, replay_s, peak = await asyncio.to_thread(replay, env)
    read_rate, replay_rate = read / read_s, applied / replay_s
    print(
        f"\nreplay benchmark: {counts['clients']:,} clients, {counts['contracts']:,} contracts, {PERIOD} billed"
    )
    print(f"  baseline, raw log read to CloudEvents: {read:,} events in {read_s:.1f} s = {read_rate:,.0f}/s")
    print(
        f"  mtf replay, every read model:          {applied:,} events in {replay_s:.1f} s = {replay_rate:,.0f}/s"
    )
    print(f"  ratio replay / raw read: {replay_rate / read_rate:.2f}; peak RSS of mtf replay {peak:.1f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
