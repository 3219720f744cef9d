"""A migration, once on main, may have run on a database somewhere: it is never edited, only followed by a new
one. Each file's digest is kept here; a new migration adds its line, an edited one fails."""

from __future__ import annotations

import hashlib

from infra.storage.schema_migrations import MIGRATIONS

RELEASED = {
    "0001.tables-outside-the-log": "e03464707d421afa",
    "0002.invoice-documents-by-number": "d7fe52edeeba7998",
    "0003.drafts-by-cin-and-email": "c0b03ec4d1e2e065",
    "0004.drafts-hold-a-number": "e7eecab2d2fe9af4",
    "0005.relay-lease": "0a8700804341428b",
    "0006.dead-letters": "a418d0101e271066",
    "0007.erasable-document-pdfs": "c71688af17975670",
}


def test_released_migrations_are_unchanged_and_every_migration_is_listed():
    found = {
        path.stem: hashlib.sha256(path.read_bytes()).hexdigest()[:16] for path in MIGRATIONS.glob("*.sql")
    }
    assert found == RELEASED


def test_migrations_are_numbered_in_sequence():
    numbers = sorted(int(name.split(".")[0]) for name in RELEASED)
    assert numbers == list(range(1, len(numbers) + 1))
