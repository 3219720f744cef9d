"""The disk's flush latency on its own, with a baseline of the machine's wake-up delay in the same run.

Every accepted command waits for its append's WAL flush, so over the same stretch of time no
percentile of command latency can be lower than that percentile of the wait for a flush asked
for at a random moment (`FlushProbe.wait_by_time`). This bench says what that floor is on this
machine, with nothing of ours running.

The baseline tells a slow disk from a paused machine: a thread that sleeps 20 ms at a time and
measures how late it wakes. If it woke late whenever the flushes stalled, the whole machine paused
(the hypervisor, say); if it woke on time, the disk alone stalled.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import FlushProbe, Sampling, ms, spread, stalls  # noqa: E402


class WakeUpProbe(Sampling):
    """How late a thread wakes from a 20 ms sleep, every 20 ms: the machine's own scheduling delay."""

    INTERVAL_S = 0.02

    def __init__(self) -> None:
        super().__init__()
        self.delays: list[float] = []

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            time.sleep(self.INTERVAL_S)
            self.delays.append(time.perf_counter() - started - self.INTERVAL_S)

    def summary(self) -> str:
        return (
            f"{spread(self.delays)} ({len(self.delays)} wake-ups, {stalls(self.delays, FlushProbe.STALL_S)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--directory",
        help="where to write, on the volume to measure (a PostgreSQL's pg_wal, say); "
        "the temporary directory by default",
    )
    args = parser.parse_args()
    with FlushProbe(args.directory) as flushes, WakeUpProbe() as wake_ups:
        time.sleep(args.seconds)
    if not flushes.latencies:
        sys.exit(f"no flush finished in {args.seconds:.0f} s: the disk is stalled")
    floor = flushes.wait_by_time(99)
    print(f"\ndisk benchmark: {args.seconds:.0f} s, nothing of the system running")
    print(f"  flush wait in {flushes.directory}  {flushes.summary()}")
    print(f"baseline, same run: a 20 ms sleep's wake-up delay  {wake_ups.summary()}")
    print(
        f"  no durable command's p99 can be below {ms(floor)} ms on this disk over this time: "
        f"{'under' if floor < 0.05 else 'OVER'} issue 2's 50 ms"
    )


if __name__ == "__main__":
    main()
