"""Runs the gateway as several worker processes, each listening on the port through a socket of its own.

uvicorn's own workers share one listening socket, and a worker that wakes first accepts every
pending connection at once. Keep-alive connections then stay where they landed: 100 connections
opened together split 69/31, 48/52 and 22/78 between two workers, and the worker holding more
of them answers each request more slowly. With `SO_REUSEPORT` the kernel hashes each new
connection to one of the sockets, so the split is even whichever worker is busy.

A worker that exits on its own is started again (as uvicorn's supervisor does), a second later;
a signal stops them all.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.connection import wait

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 30
RESTART_DELAY_S = 1.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def serve(workers: int, host: str, port: int, log_level: str) -> int:
    """Runs `workers` gateway processes until SIGTERM or SIGINT; returns the exit code."""
    spawn = multiprocessing.get_context("spawn")
    processes: list[multiprocessing.Process] = []
    stopping = False

    def start(i: int) -> multiprocessing.Process:
        process = spawn.Process(target=_worker, args=(host, port, log_level), name=f"gateway-{i}")
        process.start()
        return process

    def on_signal(*_) -> None:
        nonlocal stopping
        stopping = True
        _terminate(processes)

    _listening_socket(host, port).close()  # a port held by another program fails here, not in a restart loop
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    processes.extend(start(i) for i in range(workers))
    while not stopping:
        wait([p.sentinel for p in processes])
        for i, process in enumerate(processes):
            if process.is_alive() or stopping:
                continue
            log.warning("gateway worker %s exited with %s; starting it again", process.pid, process.exitcode)
            time.sleep(RESTART_DELAY_S)
            if not stopping:
                processes[i] = start(i)
    _terminate(processes)
    for process in processes:
        process.join(STOP_TIMEOUT_S)
        if process.is_alive():
            process.kill()
            process.join()
    return 0


def _terminate(processes: list[multiprocessing.Process]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _die_with_parent() -> None:
    """A worker outliving a killed gateway would keep its share of the port (SO_REUSEPORT lets it
    share with the next gateway's workers): ask Linux to send it SIGTERM when its parent dies."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):  # not Linux
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _worker(host: str, port: int, log_level: str) -> None:
    import uvicorn

    _die_with_parent()

    config = uvicorn.Config(
        "infra.runtime.asgi:gateway_app", factory=True, log_level=log_level, access_log=False, log_config=None
    )
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port)])
