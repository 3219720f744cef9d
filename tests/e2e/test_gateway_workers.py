"""`mtf gateway --workers N`: the workers share the port evenly, a dead one is replaced, and they stop together."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from contextlib import asynccontextmanager

import psutil

from infra.devstack.local_kafka import free_port
from tests.processes import background, run_to_exit
from tests.support import eventually, fresh_settings, settings_env

CONNECTIONS = 60


async def _health(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    """A keep-alive connection that has had one `/health` answer, or None while nobody listens."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return None
    writer.write(b"GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    await reader.readexactly(length)
    return (reader, writer) if head.startswith(b"HTTP/1.1 200") else None


def _connections_per_worker(gateway: subprocess.Popen, port: int) -> dict[int, int]:
    counts = {}
    for worker in psutil.Process(gateway.pid).children(recursive=True):
        try:
            sockets = worker.net_connections(kind="tcp")
        except psutil.NoSuchProcess:  # a killed worker, exiting or not yet reaped
            continue
        if any(s.status == psutil.CONN_LISTEN and s.laddr.port == port for s in sockets):
            counts[worker.pid] = sum(
                1 for s in sockets if s.status == psutil.CONN_ESTABLISHED and s.laddr.port == port
            )
    return counts


@asynccontextmanager
async def _gateway_with_two_workers():
    """`mtf gateway --workers 2`, once both workers listen: a connection goes only to a worker
    already listening."""
    env = settings_env(fresh_settings(kafka=True))
    port = free_port()
    env["MTF_HTTP_PORT"] = str(port)
    async with background(["gateway", "--workers", "2"], env) as gateway:
        await eventually(lambda: _listening(gateway, port, 2), timeout=45)
        yield gateway, port


async def test_workers_share_connections_evenly_are_replaced_when_they_die_and_stop_together():
    async with _gateway_with_two_workers() as (gateway, port):
        opened = await asyncio.gather(*(_health(port) for _ in range(CONNECTIONS)))
        assert all(opened), "every connection is answered"
        await asyncio.sleep(0.2)  # let both workers register what they accepted
        per_worker = _connections_per_worker(gateway, port)
        workers = [psutil.Process(pid) for pid in per_worker]
        for _, writer in opened:
            writer.close()

        # Each socket gets a connection by the kernel's hash: a split as uneven as 15/45 has a
        # probability below 1e-4 when fair, and the shared socket gave splits like 22/78.
        assert len(per_worker) == 2 and sum(per_worker.values()) == CONNECTIONS, per_worker
        assert min(per_worker.values()) >= 15, per_worker

        workers[0].kill()
        # The killed worker can still be listed for a moment: wait for two workers without it.
        await eventually(lambda: _replaced(gateway, port, workers[0].pid), timeout=45)
        replaced = [psutil.Process(pid) for pid in _connections_per_worker(gateway, port)]
        assert workers[0].pid not in [w.pid for w in replaced] and workers[1] in replaced
        still = await _health(port)
        assert still, "the gateway still answers"
        still[1].close()

        gateway.terminate()
        assert await asyncio.to_thread(gateway.wait, 40) == 0
        gone, alive = psutil.wait_procs(replaced, timeout=5)
        assert alive == [], "no worker outlives the gateway"


async def _listening(gateway: subprocess.Popen, port: int, workers: int) -> bool:
    return len(_connections_per_worker(gateway, port)) == workers


async def _replaced(gateway: subprocess.Popen, port: int, killed: int) -> bool:
    listening = _connections_per_worker(gateway, port)
    return len(listening) == 2 and killed not in listening


def test_a_port_held_by_another_program_stops_the_gateway_at_once():
    """SO_REUSEPORT would let workers share a port only with sockets that also set it; a plain
    listener makes every bind fail, which must end the gateway rather than restart workers forever."""
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    try:
        env = {**settings_env(fresh_settings(kafka=True)), "MTF_HTTP_PORT": str(held.getsockname()[1])}
        done = run_to_exit(["gateway", "--workers", "2"], env, timeout=60)
    finally:
        held.close()
    assert done.returncode != 0 and "Address already in use" in done.stdout + done.stderr


async def test_workers_do_not_outlive_a_killed_gateway():
    """An orphaned worker would keep a share of the port beside the next gateway's workers."""
    async with _gateway_with_two_workers() as (gateway, port):
        workers = [psutil.Process(pid) for pid in _connections_per_worker(gateway, port)]
        gateway.kill()
        gone, alive = await asyncio.to_thread(psutil.wait_procs, workers, 15)
        assert alive == [], "workers outlived the killed gateway"
