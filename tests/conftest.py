"""Shared fixtures: the repository's raw sources, the bundled data folder, a fresh build."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Hypothesis keeps caches (unicode tables, constants) in ./.hypothesis unless told otherwise: keep them
# out of the repository.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "jeugdmonitor-hypothesis")
)
from hypothesis import settings  # noqa: E402

from jeugdmonitor.data import store as store_mod

# Hypothesis profiles (no example database: tests leave no files in the repository).
# CI: at least 1,000 examples over the two import properties, the same ones every run.
settings.register_profile(
    "jeugdmonitor-ci", max_examples=500, deadline=None, database=None, derandomize=True
)
settings.register_profile("jeugdmonitor-dev", max_examples=60, deadline=None, database=None)
settings.register_profile("jeugdmonitor-thorough", max_examples=5000, deadline=None, database=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("jeugdmonitor-ci" if os.environ.get("CI") else "jeugdmonitor-dev")
)

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    if not RAW.exists():
        pytest.fail(f"raw sources not found at {RAW} (they are part of the repository)")
    return RAW


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def store():
    return store_mod.load(DATA)


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may corrupt (without the history a local `build` or
    `import` keeps there)."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst, ignore=shutil.ignore_patterns("history"))
    return dst


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian chromium for all browser tests (skips, or fails under CI, without it)."""
    from browser_support import CHROMIUM, LAUNCH_ARGS, require_browser

    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def marimo_writes_outside_the_repository(tmp_path_factory):
    """marimo writes `__marimo__/session/<notebook>.json` beside a notebook it exports or edits,
    unless Python's `sys.pycache_prefix` is set (the `PYTHONPYCACHEPREFIX` environment
    variable): then it goes to a mirror tree under that prefix. Every marimo the tests start
    inherits this, so no test leaves a session file (with stale output) in the repository."""
    prefix = tmp_path_factory.mktemp("pycache-prefix")
    before = os.environ.get("PYTHONPYCACHEPREFIX")
    os.environ["PYTHONPYCACHEPREFIX"] = str(prefix)
    yield prefix
    if before is None:
        del os.environ["PYTHONPYCACHEPREFIX"]
    else:
        os.environ["PYTHONPYCACHEPREFIX"] = before
