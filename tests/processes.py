"""Runs `mtf` subcommands as real processes, the way an operator deploys them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

MTF = [sys.executable, "-m", "infra.runtime.cli"]
REPO = Path(__file__).resolve().parent.parent


def run_to_exit(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*MTF, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)


async def run_cli(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """`run_to_exit` off the event loop: a test's in-process relay must keep running (and release its
    locks) while the command waits on the same database."""
    return await asyncio.to_thread(run_to_exit, args, env, timeout)


@asynccontextmanager
async def background(args: list[str], env: dict[str, str]):
    """A long-running process; its output goes to a file (an unread pipe would block it when full)."""
    log = tempfile.NamedTemporaryFile(prefix=f"mtf-{args[0]}-", suffix=".log", delete=False)
    process = subprocess.Popen([*MTF, *args], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    process.log_path = log.name
    try:
        yield process
    finally:
        if process.poll() is not None:  # it died on its own: show why
            print(
                f"\n--- mtf {' '.join(args)} exited with {process.returncode}:\n{Path(log.name).read_text()[-4000:]}"
            )
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def crash_at(point: str, args: list[str], env: dict[str, str], timeout: float = 60) -> int:
    """Runs a long-lived process until it dies at the named crash point; returns its exit code."""
    from infra.kernel.faults import CRASH_EXIT_CODE

    env = {**env, "MTF_CRASH_AT": point}
    process = subprocess.Popen(
        [*MTF, *args], env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        code = await asyncio.to_thread(process.wait, timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output = process.communicate()[0]
        raise AssertionError(f"{args} never reached crash point {point}:\n{output}")
    assert code == CRASH_EXIT_CODE, process.communicate()[0]
    return code
