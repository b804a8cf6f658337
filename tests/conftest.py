"""Shared fixtures: the raw sources beside the repo, the bundled data folder, a fresh build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jeugdmonitor import store as store_mod

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT.parent / "shared" / "data" / "raw"
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    if not RAW.exists():
        pytest.fail(f"raw sources not found at {RAW} (../shared must sit beside the repo)")
    return RAW


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def store():
    return store_mod.load(DATA)


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may corrupt."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst
