"""PostgreSQL connection details shared by the event store (psycopg) and read models (asyncpg)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

import asyncpg
import eventsourcing.persistence
import psycopg

# What a caller meets while PostgreSQL is away, restarting, refusing connections, out of them, or
# holding a lock past its timeout: the request may succeed if sent again (503), unlike a bug (500).
# psycopg's OperationalError includes the pool's timeout; eventsourcing wraps psycopg's two.
_UNAVAILABLE: tuple[type[Exception], ...] = (
    eventsourcing.persistence.OperationalError,
    eventsourcing.persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # shutdown, cannot connect now, cancelled by timeout
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
    asyncpg.exceptions.ObjectNotInPrerequisiteStateError,  # database not accepting connections, lock timeout
    ConnectionError,  # refused or reset before PostgreSQL said anything
)
# The kinds `unavailable` may say yes to: asyncpg, connecting to a Unix socket that is gone
# (PostgreSQL stopped), raises a FileNotFoundError that names no file.
MAYBE_UNAVAILABLE = (*_UNAVAILABLE, FileNotFoundError)


def unavailable(error: BaseException) -> bool:
    """Whether an error means PostgreSQL could not be reached or could not serve now (503), not a bug."""
    if isinstance(error, FileNotFoundError):
        return error.filename is None
    return isinstance(error, _UNAVAILABLE)


@dataclass(frozen=True)
class PostgresAddress:
    host: str
    port: int
    user: str
    password: str
    dbname: str
    # Every other connection parameter of the URL (sslmode, sslrootcert, application_name...), kept so
    # that each connection made from this address gets them: TLS to PostgreSQL is not dropped on the way.
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, url: str) -> PostgresAddress:
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        host = query.get("host", [parsed.hostname or "127.0.0.1"])[0]
        return cls(
            host=host,
            port=int(query.get("port", [parsed.port or 5432])[0]),
            user=unquote(parsed.username or "postgres"),
            password=unquote(parsed.password or ""),
            dbname=(parsed.path or "/postgres").lstrip("/") or "postgres",
            params=tuple((k, v[-1]) for k, v in query.items() if k not in _ADDRESS_PARAMS),
        )

    def with_dbname(self, dbname: str) -> PostgresAddress:
        return replace(self, dbname=dbname)

    @property
    def url(self) -> str:
        auth = f"{quote(self.user)}:{quote(self.password)}@" if self.password else f"{quote(self.user)}@"
        params = urlencode(self.params)
        if self.host.startswith("/"):
            return f"postgresql://{auth}/{self.dbname}?host={self.host}&port={self.port}" + (
                f"&{params}" if params else ""
            )
        return f"postgresql://{auth}{self.host}:{self.port}/{self.dbname}" + (f"?{params}" if params else "")


_ADDRESS_PARAMS = ("host", "port", "user", "password", "dbname")


def advisory_key(name: str) -> int:
    """A name as the second key of a two-key PostgreSQL advisory lock (a signed 32-bit int)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


class UnsupportedDatabase(RuntimeError):
    """The database cannot hold the system's data as it is: refused at start, before anything is written."""


async def require_utf8(pool: asyncpg.Pool) -> None:
    """Refuses a database not encoded in UTF8.

    On a SQL_ASCII database PostgreSQL stores any bytes unchecked and psycopg hands text back as
    bytes, so the first command that read an event failed with a TypeError (a 500), and names in
    Arabic script would be stored unchecked. Seen with a server initialised without a locale."""
    name, encoding = await pool.fetchrow(
        "SELECT datname, pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"
    )
    if encoding != "UTF8":
        raise UnsupportedDatabase(
            f"database {name!r} is encoded {encoding}; MT-Facturation needs UTF8: "
            f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0, or initdb -E UTF8"
        )
