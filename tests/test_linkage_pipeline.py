"""End to end: CLI, no BSN in any output, only suppressed aggregates, atomic export, determinism."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from linkage_support import KEY

from jeugdmonitor import cli
from jeugdmonitor.analysis.linkage import audit, pipeline, publish, synthetic
from jeugdmonitor.analysis.linkage.pseudonym import KEY_ENV, KEY_FILE_ENV
from jeugdmonitor.analysis.stats import MIN_COUNT


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("extracts")
    synthetic.generate(folder, "klein", seed=21, bad_fraction=0.02)
    return folder


@pytest.fixture()
def no_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)


def run_cli(*args: str) -> int:
    return cli.main(["linkage", *args])


def test_the_tool_refuses_to_run_without_a_key(extracts: Path, tmp_path: Path, no_key, capsys):
    out = tmp_path / "out"
    code = run_cli("run", "--inschrijvingen", str(extracts / "inschrijvingen.csv"),
                   "--jeugdhulp", str(extracts / "jeugdhulp.csv"), "--out", str(out))  # fmt: skip
    assert code == 2
    assert "no linkage key" in capsys.readouterr().err
    assert not out.exists()


def test_cli_run_exports_only_suppressed_aggregates_without_any_bsn(
    extracts: Path, tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.setenv(KEY_ENV, KEY.decode())
    out, rejects = tmp_path / "out", tmp_path / "afgekeurd.csv"
    code = run_cli("run", "--inschrijvingen", str(extracts / "inschrijvingen.csv"),
                   "--jeugdhulp", str(extracts / "jeugdhulp.parquet"), "--out", str(out),
                   "--rejects", str(rejects), "--audit")  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "no hidden cell can be derived" in capsys.readouterr().out
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "kerncijfers.csv",
        "kerncijfers.parquet",
        "verdelingen.csv",
        "verdelingen.parquet",
    ]
    bsns = set(
        pl.read_csv(extracts / "inschrijvingen.csv", separator=";", infer_schema=False)[
            "bsn"
        ].drop_nulls()
    )
    bsns |= set(
        pl.read_csv(extracts / "jeugdhulp.csv", separator=";", infer_schema=False)[
            "bsn"
        ].drop_nulls()
    )
    bsns = {b for b in bsns if len(b) >= 8}
    for path in [*out.iterdir(), rejects]:
        text = path.read_bytes().decode("latin-1")
        assert not any(b in text for b in bsns), path
    kern = pl.read_parquet(out / "kerncijfers.parquet")
    assert kern["gesimuleerd"].all()
    for column in ("leerlingen", "clienten", "trajecten", "nieuwe_trajecten"):
        assert (kern[column].drop_nulls() >= MIN_COUNT).all()
    mix = pl.read_parquet(out / "verdelingen.parquet")
    assert (mix["aantal"].drop_nulls() >= MIN_COUNT).all()
    assert pl.read_csv(out / "kerncijfers.csv").shape == kern.shape
    report = pl.read_csv(rejects)
    assert report.height > 0 and report["reden"].null_count() == 0


def test_published_default_gemeente_has_no_recoverable_cell():
    data = synthetic.extracts("gemeente")
    result = pipeline.run(synthetic.typed(data.enrolment), synthetic.typed(data.jeugdhulp), KEY)
    kern, mix = result.tables["kerncijfers"], result.tables["verdelingen"]
    assert audit.audit(kern, mix).is_empty()  # linear attack on every school year × type
    assert kern["clienten_per_100"].is_not_null().sum() > kern.height / 2  # still informative
    defects = data.manifest["afgekeurd"]
    assert result.rejects.height == sum(sum(v.values()) for v in defects.values()) > 0


def test_export_is_atomic(tmp_path: Path, monkeypatch):
    tables = {"kerncijfers": pl.DataFrame({"a": [1]}), "verdelingen": pl.DataFrame({"b": [2]})}
    original = pl.DataFrame.write_parquet
    calls = []

    def flaky(self, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", flaky)
    with pytest.raises(OSError, match="disk full"):
        publish.export(tables, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_the_generator_is_deterministic():
    a = synthetic.extracts("klein", seed=4)
    b = synthetic.extracts("klein", seed=4)
    c = synthetic.extracts("klein", seed=5)
    assert a.enrolment.equals(b.enrolment) and a.jeugdhulp.equals(b.jeugdhulp)
    assert a.manifest == b.manifest
    assert not a.jeugdhulp.equals(c.jeugdhulp)


def test_generated_bsns_pass_the_elfproef_and_are_distinct():
    from jeugdmonitor.analysis.linkage.extracts import elfproef

    numbers = pl.Series("bsn", synthetic.valid_bsns(5000))
    assert numbers.n_unique() == 5000
    assert pl.select(elfproef(pl.lit(numbers))).to_series().all()


def test_cli_generate_and_keygen(tmp_path: Path, capsys):
    assert run_cli("generate", str(tmp_path / "x"), "--scale", "klein", "--format", "parquet") == 0
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        "inschrijvingen.parquet", "jeugdhulp.parquet", "synthetisch.json"
    ]  # fmt: skip
    assert run_cli("keygen", str(tmp_path / "k" / "linkage.key")) == 0
    assert len((tmp_path / "k" / "linkage.key").read_text().strip()) == 64
