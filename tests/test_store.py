"""The store: loads once per process, and rejects corrupt tables with file, column and row."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor import cli
from jeugdmonitor.data import store as store_mod
from jeugdmonitor.data.store import DataValidationError


def _rewrite(data: Path, table: str, change) -> Path:
    path = data / f"{table}.parquet"
    change(pl.read_parquet(path)).write_parquet(path)
    return path


def _error(data: Path) -> str:
    with pytest.raises(DataValidationError) as info:
        store_mod.open_store(data)
    return str(info.value)


def test_bundled_data_is_valid(data_dir):
    assert store_mod.validate(data_dir) == []


def test_load_is_shared_per_process(data_dir):
    assert store_mod.load(data_dir) is store_mod.load(str(data_dir))
    assert store_mod.load(data_dir) is store_mod.load()


def test_wrong_dtype_names_table_column_and_row(data_copy):
    # numerator stored as text, with one value that is not a number at row 7
    path = _rewrite(
        data_copy,
        "indicators",
        lambda f: f.with_columns(
            pl.when(pl.int_range(pl.len()) == 7)
            .then(pl.lit("veel"))
            .otherwise(pl.col("numerator").cast(pl.String))
            .alias("numerator")
        ),
    )
    msg = _error(data_copy)
    assert str(path) in msg
    assert "column 'numerator'" in msg
    assert "row 9" in msg  # index 7: the header is row 1, as in import
    assert "'veel'" in msg and "expected Int64" in msg


def test_missing_column_names_table_and_column(data_copy):
    path = _rewrite(data_copy, "membership", lambda f: f.drop("weight"))
    msg = _error(data_copy)
    assert str(path) in msg
    assert "column 'weight'" in msg and "missing" in msg


def test_numerator_above_denominator_names_the_row(data_copy):
    path = _rewrite(
        data_copy,
        "indicators",
        lambda f: f.with_columns(
            pl.when(pl.int_range(pl.len()) == 12)
            .then(pl.col("denominator") + 5)
            .otherwise(pl.col("numerator"))
            .alias("numerator")
        ),
    )
    original = pl.read_parquet(path).row(12, named=True)
    msg = _error(data_copy)
    assert str(path) in msg
    assert "column 'numerator', row 14:" in msg
    assert f"numerator {original['numerator']} > denominator {original['denominator']}" in msg
    assert f"gemeente_code='{original['gemeente_code']}'" in msg


def test_unknown_code_names_the_row(data_copy):
    path = _rewrite(
        data_copy,
        "indicators",
        lambda f: f.with_columns(
            pl.when(pl.int_range(pl.len()) == 3)
            .then(pl.lit("GM9999"))
            .otherwise(pl.col("gemeente_code"))
            .alias("gemeente_code")
        ),
    )
    msg = _error(data_copy)
    assert str(path) in msg
    assert "column 'gemeente_code', row 5:" in msg
    assert "unknown gemeente code 'GM9999'" in msg


def test_duplicate_keys_are_rejected(data_copy):
    path = _rewrite(data_copy, "indicators", lambda f: pl.concat([f, f.slice(20, 1)]))
    msg = _error(data_copy)
    assert str(path) in msg
    assert "duplicate key" in msg and "row 22" in msg


def test_weights_must_sum_to_one(data_copy):
    weight = (
        pl.read_parquet(data_copy / "membership.parquet")
        .filter((pl.col("region_code") == "PO2707") & (pl.col("gemeente_code") == "GM0363"))[
            "weight"
        ]
        .item()
    )
    path = _rewrite(
        data_copy,
        "membership",
        lambda f: f.with_columns(
            pl.when((pl.col("region_code") == "PO2707") & (pl.col("gemeente_code") == "GM0363"))
            .then(pl.col("weight") * 0.5)
            .otherwise(pl.col("weight"))
            .alias("weight")
        ),
    )
    msg = _error(data_copy)
    assert str(path) in msg
    assert f"weights of gemeente GM0363 in type swv_po sum to {1 - weight / 2:.6f}, not 1" in msg


def test_negative_counts_are_rejected(data_copy):
    _rewrite(
        data_copy,
        "indicators",
        lambda f: f.with_columns(
            pl.when(pl.int_range(pl.len()) == 5)
            .then(-1)
            .otherwise(pl.col("numerator"))
            .alias("numerator")
        ),
    )
    assert "column 'numerator', row 7: negative count -1" in _error(data_copy)


def test_unreadable_file_is_named(data_copy):
    (data_copy / "regions.parquet").write_bytes(b"not parquet")
    msg = _error(data_copy)
    assert "regions.parquet" in msg and "cannot read parquet" in msg


def test_validate_command_exit_codes(data_dir, data_copy, capsys):
    assert cli.main(["validate", str(data_dir)]) == 0
    _rewrite(data_copy, "membership", lambda f: f.drop("weight"))
    assert cli.main(["validate", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert "membership.parquet" in err and "column 'weight'" in err


def test_validate_console_script_runs(data_dir):
    proc = subprocess.run(
        [sys.executable, "-m", "jeugdmonitor.cli", "validate", str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "all checks passed" in proc.stdout
