"""No data lost: import and fetch keep what they replace; `restore` brings it back byte for byte."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor import cli
from jeugdmonitor.analysis.update import run_import
from jeugdmonitor.data import history, store

HEADER = "indicator,gemeente_code,year,breakdown,numerator,denominator,source\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file except the history itself."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != "history"
    }


def csv(tmp_path: Path, rows: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, "utf-8")
    return path


def test_import_restore_round_trip_is_byte_identical(tmp_path, data_copy, capsys):
    original = snapshot(data_copy)
    first = csv(tmp_path, "armoede,GM0014,2023,all,2100,18500,eerste\n", "eerste.csv")
    assert cli.main(["import", str(first), "--data", str(data_copy)]) == 0
    after_first = snapshot(data_copy)
    assert after_first != original
    second = csv(tmp_path, "armoede,GM0363,2023,all,21500,152000,tweede\n", "tweede.csv")
    assert cli.main(["import", str(second), "--data", str(data_copy)]) == 0
    capsys.readouterr()

    assert cli.main(["history", "--data", str(data_copy)]) == 0
    listing = capsys.readouterr().out
    versions = history.versions(data_copy)
    assert [v.command for v in versions] == [f"import {first}", f"import {second}"]
    assert all(v.id in listing for v in versions) and "indicators.parquet" in listing
    assert versions[0].saved("indicators.parquet").read_bytes() == original["indicators.parquet"]

    # back to before the second import, then to before the first: byte-identical each time
    assert cli.main(["restore", versions[1].id, "--data", str(data_copy)]) == 0
    assert snapshot(data_copy) == after_first
    assert cli.main(["restore", versions[0].id, "--data", str(data_copy)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert snapshot(data_copy) == original
    assert store.validate(data_copy) == []

    # each restore kept what it replaced, so a restore can be undone as well
    kept = history.versions(data_copy)
    assert [v.command for v in kept][-2:] == [
        f"restore {versions[1].id}",
        f"restore {versions[0].id}",
    ]
    history.restore(data_copy, kept[-1].id)
    assert snapshot(data_copy) == after_first
    leftovers = [p.name for p in data_copy.parent.iterdir() if p.name.startswith(".data-")]
    assert leftovers == []


def test_restoring_an_early_version_takes_each_file_from_the_oldest_later_copy(tmp_path, data_copy):
    original = snapshot(data_copy)
    run_import(csv(tmp_path, "armoede,GM0014,2023,all,2100,18500,a\n", "a.csv"), data_copy)
    # a second command replaces another file (here: population, as a fetch would)
    population = pl.read_parquet(data_copy / "population.parquet")
    from jeugdmonitor.analysis.update import stage_and_swap

    stage_and_swap(
        data_copy,
        {"population": population.with_columns(pl.col("population") + 1)},
        command="fetch",
    )
    run_import(csv(tmp_path, "armoede,GM0014,2022,all,2000,18500,b\n", "b.csv"), data_copy)
    first = history.versions(data_copy)[0]
    _, changed = history.restore(data_copy, first.id)
    assert sorted(changed) == ["indicators.parquet", "population.parquet"]
    assert snapshot(data_copy) == original


def test_nothing_is_kept_when_nothing_changes(tmp_path, data_copy):
    path = csv(tmp_path, "armoede,GM0014,2023,all,2100,18500,a\n", "a.csv")
    run_import(path, data_copy)
    summary = run_import(path, data_copy)
    assert "nothing was written" in summary
    assert len(history.versions(data_copy)) == 1


def test_restore_errors_leave_data_untouched(tmp_path, data_copy, capsys):
    run_import(csv(tmp_path, "armoede,GM0014,2023,all,2100,18500,a\n", "a.csv"), data_copy)
    before = snapshot(data_copy)
    assert cli.main(["restore", "20000101-000000-1", "--data", str(data_copy)]) == 2
    assert "no version '20000101-000000-1'" in capsys.readouterr().err
    # a damaged kept copy is refused by the validation of the staged folder
    version = history.versions(data_copy)[0]
    version.saved("indicators.parquet").write_bytes(b"not parquet")
    assert cli.main(["restore", version.id, "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert "indicators.parquet" in err and "cannot read parquet" in err
    assert snapshot(data_copy) == before
    assert len(history.versions(data_copy)) == 1


def test_a_failed_import_keeps_no_version_and_creates_no_history(tmp_path, data_copy):
    bad = csv(tmp_path, "armoede,GM0014,2023,all,-1,18500,a\n", "bad.csv")
    with pytest.raises(ValueError):
        run_import(bad, data_copy)
    assert not (data_copy / "history").exists()


def test_fetch_keeps_what_it_replaces_and_restore_undoes_it(tmp_path, data_copy, capsys):
    from cbs_fixture import odata_tables, write_mirror

    from jeugdmonitor.data.sources import cbs

    original = snapshot(data_copy)
    specs = cbs.load_mapping(
        None,
        set(pl.read_parquet(data_copy / "catalogue.parquet")["indicator"]),
        set(pl.read_parquet(data_copy / "breakdowns.parquet")["breakdown"]),
    )
    odata = odata_tables(specs, pl.read_parquet(data_copy / "population.parquet"), [2023, 2024])
    mirror = write_mirror(tmp_path / "mirror", odata)
    args = ["fetch", "--mirror", str(mirror), "--data", str(data_copy), "--years", "2023-2024"]
    assert cli.main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was written" in out and "Regions whose shown values change" in out
    assert snapshot(data_copy) == original
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "What changes:" in out and "NL01 Nederland" in out
    (version,) = history.versions(data_copy)
    assert version.command == "fetch"
    assert "indicators.parquet" in version.files and "population.parquet" in version.files
    history.restore(data_copy, version.id)
    assert snapshot(data_copy) == original


def test_a_rebuild_keeps_the_imported_data_it_replaces(tmp_path, data_copy, capsys):
    run_import(csv(tmp_path, "armoede,GM0014,2023,all,2100,18500,a\n", "a.csv"), data_copy)
    imported = snapshot(data_copy)
    assert cli.main(["build", "--out", str(data_copy)]) == 0
    assert "wrote 1 changed files" in capsys.readouterr().out
    build_version = history.versions(data_copy)[-1]
    assert build_version.command == "build" and list(build_version.files) == ["indicators.parquet"]
    history.restore(data_copy, build_version.id)
    assert snapshot(data_copy) == imported
