"""What the command line tells a user: CSVs as Dutch Excel saves them, names where a code belongs,
row numbers counted the same way by `validate` and `import`, and no internal project labels in any
text a user reads (help, README, the handleiding, pyproject, the package's own texts)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor import cli

ROOT = Path(__file__).resolve().parent.parent
LONG = ["indicator", "gemeente_code", "year", "breakdown", "numerator", "denominator", "source"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_semicolon_long_format_as_dutch_excel_saves_it_is_imported(tmp_path, data_copy, capsys):
    path = tmp_path / "eigen.csv"
    path.write_text(
        ";".join(LONG) + "\njeugdhulp;GM0344;2023;all;2010;18500;Gemeente Utrecht 2023\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import", str(path), "--data", str(data_copy))
    assert code == 0, err
    rows = pl.read_parquet(data_copy / "indicators.parquet").filter(
        (pl.col("indicator") == "jeugdhulp")
        & (pl.col("gemeente_code") == "GM0344")
        & (pl.col("year") == 2023)
        & (pl.col("breakdown") == "all")
    )
    assert rows.select("numerator", "denominator", "source").rows() == [
        (2010, 18500, "Gemeente Utrecht 2023")
    ]


def test_a_tab_separated_file_says_exactly_how_to_save_it(tmp_path, data_copy, capsys):
    path = tmp_path / "tabs.csv"
    path.write_text("\t".join(LONG) + "\njeugdhulp\tGM0344\t2023\tall\t1\t2\tx\n", "utf-8")
    code, _, err = run(capsys, "import", str(path), "--data", str(data_copy))
    assert code == 2
    assert "row 1: wrong separator" in err
    assert "Opslaan als" in err and "CSV UTF-8 (door komma's gescheiden)" in err


def test_a_gemeente_name_as_gemeente_code_gets_its_code(tmp_path, data_copy, capsys):
    path = tmp_path / "namen.csv"
    path.write_text(",".join(LONG) + "\njeugdhulp,Utrecht,2023,all,2010,18500,x\n", "utf-8")
    code, _, err = run(capsys, "import", str(path), "--data", str(data_copy))
    assert code == 2
    line = next(line for line in err.splitlines() if "gemeente_code" in line)
    assert "row 2" in line and "'Utrecht' is a name" in line and "GM0344 (Utrecht)" in line
    assert "or name" not in line  # the long format takes codes only: never suggest a name


def test_validate_and_import_count_rows_the_same_way(tmp_path, data_copy, capsys):
    """The same bad row (index 7 of the table, line 9 of its CSV export) is row 9 for both."""
    table = pl.read_parquet(data_copy / "indicators.parquet")
    bad = table.with_columns(
        year=pl.when(pl.int_range(pl.len()) == 7).then(1899).otherwise("year").cast(pl.Int32)
    )
    export = tmp_path / "export.csv"
    bad.head(20).select(LONG).write_csv(export)
    code, _, import_err = run(capsys, "import", str(export), "--data", str(data_copy))
    assert code == 2
    bad.write_parquet(data_copy / "indicators.parquet")
    code, _, validate_err = run(capsys, "validate", str(data_copy))
    assert code == 1
    assert "column 'year', row 9: " in import_err, import_err
    assert "column 'year', row 9: " in validate_err, validate_err
    assert "the header is row 1" in import_err and "the header is row 1" in validate_err


INTERNAL = re.compile(
    r"\bseeds?[ -]0\d\d\b|\bseeds? \d{3}\b|\bissues? \d+\b|\(issue|\bissue-\d", re.I
)


def _help_texts(parser: argparse.ArgumentParser) -> list[str]:
    texts = [parser.format_help()]
    for action in parser._actions:  # every subcommand, nested ones included
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                texts += _help_texts(sub)
    return texts


def test_no_internal_labels_in_anything_a_user_reads():
    """No 'seed 003' or '(issue 5)' in the CLI help, README, docs, pyproject or package texts."""
    found = [text for text in _help_texts(cli.parser()) if INTERNAL.search(text)]
    assert not found, found
    files = [
        ROOT / "README.md",
        ROOT / "ARCHITECTURE.md",
        ROOT / "pyproject.toml",
        ROOT / "monitor.py",
        *ROOT.joinpath("docs").rglob("*.md"),
        *ROOT.joinpath("data").glob("*.md"),
        *ROOT.joinpath("notebooks").glob("*.py"),
        *ROOT.joinpath("jeugdmonitor").rglob("*.py"),
        *ROOT.joinpath("jeugdmonitor", "reference").glob("*.csv"),
        *ROOT.joinpath("jeugdmonitor", "static").iterdir(),
    ]
    hits = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if INTERNAL.search(line)
    ]
    assert not hits, hits


@pytest.mark.parametrize("name", ["README.md", "ARCHITECTURE.md", "docs/handleiding.md"])
def test_user_documents_exist(name):
    assert (ROOT / name).is_file()


def test_the_handleiding_speaks_to_beleidsadviseurs_without_jargon():
    text = (ROOT / "docs" / "handleiding.md").read_text("utf-8")
    jargon = ["GLM", "Wilson", "ventile", "TopoJSON", "websocket", "parquet", "polars"]
    assert not [w for w in jargon if w.lower() in text.lower()]
    for topic in ("Een regio kiezen", "Een figuur lezen", "Wat valt op", "Vergelijken",
                  "De wijken", "jeugdmonitor report", "jeugdmonitor import", "sjabloon"):  # fmt: skip
        assert topic in text, topic
    # the controls are named exactly as the app labels them
    from jeugdmonitor.app import compare_ui, region_choice, report_download

    controls = (report_download.LABEL, region_choice.SIM_LABEL, compare_ui.LABEL.split(" (")[0])
    assert [c for c in controls if c not in text] == []
    assert "Controleer bij de oplevering" not in text  # no editor's notes left in


def test_dates_are_dutch_and_percentages_have_one_decimal(store):
    import datetime as dt

    from jeugdmonitor.data.regions import get_region
    from jeugdmonitor.present.markup import dutch_date
    from jeugdmonitor.present.sections import build_sections

    assert dutch_date(dt.date(2026, 12, 7)) == "7 december 2026"
    assert dutch_date(dt.date(2025, 3, 1)) == "1 maart 2025"
    built = build_sections(store, get_region(store, "GM0344"))
    texts = [t for s in built.values() for f in s.figures for t in (f.explanation, f.summary)]
    texts += [s.intro for s in built.values()]
    odd = {m for t in texts for m in re.findall(r"\d+(?:,\d{2,})?%|\d+,\d{2,}%", t) if "," in m}
    assert not odd, odd  # '15,12%' nowhere: one decimal (or a whole number from the NJi texts)


def test_the_live_data_notice_wraps_its_technical_lines(tmp_path):
    from jeugdmonitor.app import ui

    long = f"{tmp_path}/indicators.parquet: column 'numerator', row 9: " + "x" * 300
    text = ui._problem_list([long], tmp_path)
    assert '<pre class="jm-tech" style="white-space: pre-wrap; overflow-wrap: anywhere' in text
    assert "    " + long not in text  # no indented code block: those ran off the right edge
