"""Keyed pseudonyms: stable per key, different across keys, equal to HMAC-SHA256; no key, no run."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import polars as pl
import pytest
from linkage_support import KEY, OTHER_KEY, bsns

import jeugdmonitor
from jeugdmonitor.analysis.linkage.pseudonym import (
    KEY_ENV,
    KEY_FILE_ENV,
    MissingKeyError,
    load_key,
    pseudonym,
    pseudonyms,
    write_key,
)


def reference(bsn: str, key: bytes) -> int:
    """Independent HMAC-SHA256 from the standard library, first 8 bytes big-endian."""
    return int.from_bytes(hmac.new(key, bsn.encode(), hashlib.sha256).digest()[:8], "big")


def test_same_key_gives_the_same_pseudonym_and_it_is_the_hmac():
    for bsn in bsns(50):
        assert pseudonym(bsn, KEY) == pseudonym(bsn, KEY) == reference(bsn, KEY)


def test_a_different_key_gives_a_different_pseudonym():
    values = bsns(200)
    ours = pseudonyms(pl.Series(values), KEY).to_list()
    theirs = pseudonyms(pl.Series(values), OTHER_KEY).to_list()
    assert all(a != b for a, b in zip(ours, theirs, strict=True))
    assert len(set(ours)) == len(values)


def test_keys_longer_than_a_block_follow_rfc_2104():
    long_key = bytes(range(100))
    assert pseudonym("123456782", long_key) == reference("123456782", long_key)


def test_refuses_without_a_key():
    with pytest.raises(MissingKeyError, match="no linkage key"):
        load_key(env={})


def test_refuses_a_short_key():
    with pytest.raises(MissingKeyError, match="at least 32"):
        load_key(env={KEY_ENV: "too-short"})


def test_environment_key_is_used():
    assert load_key(env={KEY_ENV: "x" * 40}) == b"x" * 40


def test_key_file_inside_a_git_repository_is_refused(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    key_file = repo / "secrets" / "linkage.key"
    key_file.parent.mkdir()
    key_file.write_text("y" * 64)
    with pytest.raises(MissingKeyError, match="inside the repository"):
        load_key(env={KEY_FILE_ENV: str(key_file)})


def test_key_file_inside_the_package_tree_is_refused():
    inside = Path(jeugdmonitor.__file__).resolve().parents[1] / "linkage.key"
    with pytest.raises(MissingKeyError, match="inside the repository"):
        load_key(inside, env={})
    assert not inside.exists()


def test_keygen_writes_a_private_key_outside_the_repo_and_never_overwrites(tmp_path: Path):
    path = write_key(tmp_path / "keys" / "linkage.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = load_key(path, env={})
    assert len(key) == 64
    assert load_key(env={KEY_FILE_ENV: str(path)}) == key
    with pytest.raises(FileExistsError):
        write_key(path)
