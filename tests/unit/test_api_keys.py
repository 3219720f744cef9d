"""The key ring: keys held by their hash, looked up by hashing what is presented, and the keys file
read again when it changes, a broken edit leaving the keys before it in force."""

from __future__ import annotations

import os

import orjson
import pytest
from pydantic import ValidationError

from infra.kernel import api_keys
from infra.kernel.api_keys import default_actor, key_hash
from infra.kernel.settings import Settings


def _touch(path, content: dict) -> None:
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_bytes(orjson.dumps(content))
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a new modification time, even within a tick


def test_a_key_configured_by_its_hash_is_found_by_the_key_and_nothing_keeps_the_key(monkeypatch):
    digest = key_hash("s3cret-operator")
    ring = Settings(
        _env_file=None, api_keys={digest: {"role": "operator", "holder": "staff:amina"}}
    ).api_key_ring
    found_digest, grant = ring.find("s3cret-operator")
    assert (found_digest, grant.role, grant.holder) == (digest, "operator", "staff:amina")
    assert ring.find("s3cret-operatoR") is None
    assert all(k.startswith("sha256:") for k in ring.grants())


def test_a_key_in_clear_is_hashed_on_loading_and_refused_in_production():
    ring = Settings(_env_file=None, api_keys={"dev-key": "auditor"}).api_key_ring
    assert list(ring.grants()) == [key_hash("dev-key")]
    with pytest.raises(ValidationError, match="by their hash"):
        Settings(_env_file=None, profile="production", api_keys={"dev-key": "auditor"})


def test_a_key_without_a_holder_acts_as_a_fingerprint_of_its_hash():
    assert default_actor(key_hash("k")) == "key:" + key_hash("k")[7:19]


def test_a_holder_names_a_person_on_staff_or_a_partner_system():
    with pytest.raises(ValidationError):
        Settings(_env_file=None, api_keys={"k": {"role": "operator", "holder": "Amina"}})


def test_editing_the_keys_file_rotates_keys_without_a_restart(tmp_path, monkeypatch):
    monkeypatch.setattr(api_keys, "RELOAD_CHECK_S", 0)
    keys = tmp_path / "keys.json"
    _touch(keys, {key_hash("old"): {"role": "operator", "holder": "partner:crm"}})
    ring = Settings(_env_file=None, api_keys_file=keys).api_key_ring
    assert ring.find("old")[1].holder == "partner:crm"

    _touch(keys, {key_hash("new"): {"role": "operator", "holder": "partner:crm"}})
    assert ring.find("old") is None
    assert ring.find("new")[1].role == "operator"

    keys.write_text("{ not json")  # a broken edit: the keys before it stay in force
    os.utime(keys, ns=(keys.stat().st_mtime_ns + 10**9,) * 2)
    assert ring.find("new") is not None
