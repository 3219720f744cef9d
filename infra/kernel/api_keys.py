"""The API keys a gateway accepts, held as hashes, and reloaded from the keys file when it changes.

A key is configured by its hash (`sha256:<64 hex>`, printed by `mtf hash-key`); a presented key is
hashed and looked up, so no key is kept in clear in memory or in configuration. Development and tests
may still configure a key in clear: it is hashed on loading and the clear text dropped (the production
profile refuses it). Editing the keys file (`MTF_API_KEYS_FILE`) adds, rotates or revokes keys within a
second on every gateway, without a restart; a file that no longer parses is logged and the keys loaded
before it stay in force.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

log = logging.getLogger("mtf.security")

HASHED = re.compile(r"^sha256:[0-9a-f]{64}$")
RELOAD_CHECK_S = 1.0


def key_hash(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def hashed(entry: str) -> str:
    """A configured key as its hash: a hash stays as it is, a key in clear is hashed."""
    return entry if HASHED.match(entry) else key_hash(entry)


def default_actor(hash_: str) -> str:
    """Who a key without a named holder is on the events: a short fingerprint of it."""
    return "key:" + hash_.removeprefix("sha256:")[:12]


class KeyRing:
    """Grants by key hash: the configured ones, merged with the keys file's, which is read again when
    its modification time or size changes (checked at most once a second)."""

    def __init__(
        self, inline: Mapping[str, Any], file: Path | None, validate: Callable[[dict], dict]
    ) -> None:
        self._inline = {hashed(k): v for k, v in validate(dict(inline)).items()}
        self._file, self._validate = file, validate
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._grants: dict[str, Any] = dict(self._inline)
        self._reload()

    def find(self, presented: str) -> tuple[str, Any] | None:
        """(the key's hash, its grant) for a key this gateway accepts now, else None."""
        self._maybe_reload()
        digest = key_hash(presented)
        grant = self._grants.get(digest)
        return (digest, grant) if grant is not None else None

    def grants(self) -> dict[str, Any]:
        self._maybe_reload()
        return dict(self._grants)

    def _maybe_reload(self) -> None:
        if self._file is None or time.monotonic() - self._checked < RELOAD_CHECK_S:
            return
        with self._lock:
            self._checked = time.monotonic()
            self._reload()

    def _reload(self) -> None:
        if self._file is None:
            return
        import orjson

        starting = self._stamp is None
        try:
            stat = self._file.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp == self._stamp:
                return
            self._stamp = stamp
            loaded = self._validate(orjson.loads(self._file.read_bytes()))
        except Exception as error:  # noqa: BLE001 - a bad edit must not lock every caller out
            if starting:
                raise  # at start-up: stop, as a missing or broken keys file should
            log.error(
                "keys file %s not reloaded (%s); the keys loaded before stay in force", self._file, error
            )
            return
        self._grants = {**self._inline, **{hashed(k): v for k, v in loaded.items()}}
        if not starting:
            log.warning("keys file %s reloaded: %d keys", self._file, len(self._grants))
