"""Starting the system on a database that already has its schema leaves no error in PostgreSQL's log."""

from __future__ import annotations

from pathlib import Path

from infra.devstack.embedded_postgres import EmbeddedPostgres
from infra.kernel.settings import Settings
from infra.runtime.assembly import running
from tests.support import KEYS


async def test_a_second_start_logs_no_error(tmp_path: Path):
    postgres = EmbeddedPostgres(tmp_path / "pgdata")
    settings = Settings(_env_file=None, database_url=postgres.start(), kafka_bootstrap=None, api_keys=KEYS)
    try:
        for _start in range(2):
            async with running(settings, relay=True, projector=True):
                pass
        server_log = (postgres.pgdata / "log").read_text()
        assert "ERROR" not in server_log, server_log
        assert "database system is ready" in server_log  # the log read is the server's
    finally:
        postgres.stop()
