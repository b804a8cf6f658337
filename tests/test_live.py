"""The running app's data watcher (`jeugdmonitor.app.live`): reload valid changes, keep old data else."""

from __future__ import annotations

import os
import time

import polars as pl

from jeugdmonitor.analysis.update import run_import
from jeugdmonitor.app import live

HEADER = "indicator,gemeente_code,year,breakdown,numerator,denominator,source\n"


def age(folder, seconds: float = 5) -> None:
    """Make every file look written `seconds` ago (the watcher waits for files to settle)."""
    past = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


def test_watcher_reloads_valid_changes_and_keeps_old_data_while_invalid(data_copy, tmp_path):
    watcher = live.Watcher(data_copy, check_every=0, settle=0.5)
    first = watcher.current()
    assert first.store is not None and first.problems == () and first.version == 1

    # an unchanged folder, or a touched but identical file, is not a new version
    assert watcher.current().version == 1
    os.utime(data_copy / "regions.parquet")
    age(data_copy)
    assert watcher.current().version == 1 and watcher.current().store is first.store

    csv = tmp_path / "a.csv"
    csv.write_text(HEADER + "armoede,GM0014,2023,all,2100,18500,nieuw\n", "utf-8")
    run_import(csv, data_copy)
    assert watcher.current().version == 1  # just written: not read before it settles
    age(data_copy)
    second = watcher.current()
    assert second.version == 2 and second.store is not first.store and not second.problems
    rows = second.store.indicators.filter(pl.col("source") == "nieuw")
    assert rows.height == 1

    (data_copy / "geo" / "provincie.topojson").write_text("[]", "utf-8")
    age(data_copy)
    third = watcher.current()
    assert third.version == 3 and third.store is second.store  # the old data stays served
    assert any("provincie.topojson" in p for p in third.problems)

    (data_copy / "regions.parquet").unlink()
    age(data_copy)
    fourth = watcher.current()
    assert fourth.store is second.store and any("regions.parquet" in p for p in fourth.problems)


def test_watcher_without_valid_data_has_no_store_and_recovers(data_copy):
    regions = (data_copy / "regions.parquet").read_bytes()
    (data_copy / "regions.parquet").unlink()
    watcher = live.Watcher(data_copy, check_every=0, settle=0)
    state = watcher.current()
    assert state.store is None and "regions.parquet: file is missing" in state.problems[0]
    (data_copy / "regions.parquet").write_bytes(regions)
    age(data_copy)
    state = watcher.current()
    assert state.store is not None and state.problems == ()


def test_checks_are_throttled(data_copy):
    watcher = live.Watcher(data_copy, check_every=3600, settle=0)
    assert watcher.current().version == 1
    (data_copy / "geo" / "provincie.topojson").write_text("[]", "utf-8")
    age(data_copy)
    assert watcher.current().problems == ()  # not looked at again within the interval
