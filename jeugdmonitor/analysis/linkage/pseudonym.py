"""Keyed pseudonyms for BSNs: HMAC-SHA256 with a secret key that never lives in the repository.

The key comes from the environment variable `JEUGDMONITOR_LINKAGE_KEY` or from a key file (given
explicitly or via `JEUGDMONITOR_LINKAGE_KEY_FILE`) that must lie outside any git work tree. Without
a key nothing runs. The pseudonym is the first 8 bytes of HMAC-SHA256(key, 9-digit BSN) as an
unsigned 64-bit integer: one-way without the key, stable for the same key, and small enough to
join fast. `pseudonyms` refuses to return when two BSNs would share a pseudonym.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl

KEY_ENV = "JEUGDMONITOR_LINKAGE_KEY"
KEY_FILE_ENV = "JEUGDMONITOR_LINKAGE_KEY_FILE"
MIN_KEY_BYTES = 32  # 256 bits, the HMAC-SHA256 output size


class MissingKeyError(ValueError):
    """Raised when no usable pseudonymisation key is configured: the tool refuses to run."""


def _git_root(path: Path) -> Path | None:
    """The enclosing git work tree of `path` (a folder holding `.git`), or None."""
    for folder in [path, *path.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def _check_outside_repo(path: Path) -> None:
    """Refuse key files inside a git work tree or inside the installed package's source tree."""
    resolved = path.expanduser().resolve()
    package_root = Path(__file__).resolve().parents[3]
    root = _git_root(resolved.parent)
    if root is not None or resolved.is_relative_to(package_root):
        where = root or package_root
        raise MissingKeyError(
            f"key file {resolved} lies inside the repository {where}; "
            "keep the linkage key outside any repository (e.g. ~/.config/jeugdmonitor/linkage.key)"
        )


def _key_bytes(raw: bytes, origin: str) -> bytes:
    key = raw.strip()
    if len(key) < MIN_KEY_BYTES:
        raise MissingKeyError(
            f"the linkage key from {origin} has {len(key)} bytes; at least {MIN_KEY_BYTES} are "
            "needed (create one with `jeugdmonitor linkage keygen PATH`)"
        )
    return key


def load_key(key_file: Path | str | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """Return the secret key: explicit key file, else $JEUGDMONITOR_LINKAGE_KEY, else key-file env.

    Raises MissingKeyError when none is set, the key is too short, or the file is in a repo.
    """
    env = os.environ if env is None else env
    if key_file is None and env.get(KEY_ENV):
        return _key_bytes(env[KEY_ENV].encode("utf-8"), f"${KEY_ENV}")
    path_text = str(key_file) if key_file is not None else env.get(KEY_FILE_ENV, "")
    if not path_text:
        raise MissingKeyError(
            f"no linkage key: set ${KEY_ENV} or ${KEY_FILE_ENV} (a file outside the repository); "
            "refusing to read BSNs without a pseudonymisation key"
        )
    path = Path(path_text).expanduser()
    _check_outside_repo(path)
    if not path.is_file():
        raise MissingKeyError(f"key file {path} does not exist")
    return _key_bytes(path.read_bytes(), str(path))


def write_key(path: Path | str) -> Path:
    """Create a new random key file (64 hex characters, mode 0600) outside any repository."""
    target = Path(path).expanduser()
    _check_outside_repo(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite a key
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
    return target


def _hmac_prefixes(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """Inner and outer SHA-256 states of HMAC (RFC 2104), so each value costs two compressions."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    return inner, outer


def pseudonyms(bsn: pl.Series, key: bytes) -> pl.Series:
    """Pseudonymise a column of normalised 9-digit BSN strings (unique values expected)."""
    inner, outer = _hmac_prefixes(key)
    inner_copy, outer_copy = inner.copy, outer.copy
    digests = bytearray()
    for value in bsn.to_list():
        h = inner_copy()
        h.update(value.encode("ascii"))
        o = outer_copy()
        o.update(h.digest())
        digests += o.digest()[:8]
    ids = np.frombuffer(bytes(digests), dtype=">u8").astype(np.uint64)
    out = pl.Series("pid", ids, dtype=pl.UInt64)
    if out.n_unique() != bsn.n_unique():
        raise ValueError("two BSNs got the same pseudonym; use another key")
    return out


def pseudonym(bsn: str, key: bytes) -> int:
    """The pseudonym of one normalised 9-digit BSN (same function as `pseudonyms`)."""
    return int(pseudonyms(pl.Series([bsn]), key)[0])
