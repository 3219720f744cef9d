"""Starts the local services a command needs, runs it, and always stops them afterwards.

    python -m infra.devstack.local_stack --kafka --postgres -- pytest

exports MTF_KAFKA_BOOTSTRAP and MTF_DATABASE_URL to the command. An MTF_DATABASE_URL
already set in the environment is used as it is, and no embedded server is started.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from infra.devstack.embedded_postgres import EmbeddedPostgres
from infra.devstack.local_kafka import LocalKafka


def main(argv: list[str] | None = None) -> int:
    # Before anything starts: a SIGTERM while Kafka or PostgreSQL is starting still unwinds the
    # ExitStack and stops what was started (Python's default would end the process on the spot).
    signal.signal(signal.SIGTERM, _exit_on_signal)
    parser = argparse.ArgumentParser(prog="local_stack")
    parser.add_argument("--kafka", action="store_true", help="start a single-node KRaft broker")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway embedded PostgreSQL")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    env = dict(os.environ)
    with ExitStack() as stack:
        if args.kafka:
            kafka = LocalKafka()
            stack.callback(kafka.stop)
            env["MTF_KAFKA_BOOTSTRAP"] = kafka.start()
            print(f"local_stack: Kafka on {env['MTF_KAFKA_BOOTSTRAP']}", flush=True)
        if args.postgres and not env.get("MTF_DATABASE_URL"):
            workdir = Path(tempfile.mkdtemp(prefix="mtf-pg-"))
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
            pgdata = workdir / "data"
            postgres = EmbeddedPostgres(pgdata, delete_on_stop=True)
            stack.callback(postgres.stop)
            env["MTF_DATABASE_URL"] = postgres.start()
            print(f"local_stack: PostgreSQL at {env['MTF_DATABASE_URL']}", flush=True)
        return _run(command, env)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _run(command: list[str], env: dict[str, str]) -> int:
    child = subprocess.Popen(command, env=env)
    # Forward Ctrl-C / SIGTERM to the child, then fall through to the cleanup.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
