"""The local stack stops what it started, even when it is told to stop while still starting."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys

import psutil

from tests.processes import REPO


def _broker_of(stack: subprocess.Popen) -> psutil.Process | None:
    for child in psutil.Process(stack.pid).children(recursive=True):
        try:
            if "kafka.Kafka" in child.cmdline():
                return child
        except psutil.Error:
            continue
    return None


async def test_a_sigterm_while_kafka_starts_still_stops_the_broker():
    stack = subprocess.Popen(
        [sys.executable, "-m", "infra.devstack.local_stack", "--kafka", "--", "sleep", "60"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        broker = None
        for _ in range(300):
            if (broker := _broker_of(stack)) is not None:
                break
            await asyncio.sleep(0.05)
        assert broker is not None, "the broker process was started"
        stack.send_signal(
            signal.SIGTERM
        )  # the broker is spawned but not ready: local_stack is still starting it
        output, _ = await asyncio.to_thread(stack.communicate, timeout=60)
        assert "Kafka on" not in output, "the signal came during start-up, before the command ran"
        assert stack.returncode == 128 + signal.SIGTERM
        assert not broker.is_running() or broker.status() == psutil.STATUS_ZOMBIE, "the broker was stopped"
    finally:
        if stack.poll() is None:
            stack.kill()
