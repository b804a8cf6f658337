"""`jeugdmonitor import`: the long format and StatLine CSV exports, good and malformed.

Every error must name the file, the column and the row (header = row 1), and leave data/ as it was.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor import cli
from jeugdmonitor.analysis.update import run_import
from jeugdmonitor.data import store
from jeugdmonitor.data.sources.csv_import import CsvImportError, StatlineColumns

HEADER = "indicator,gemeente_code,year,breakdown,numerator,denominator,source\n"
STATLINE = StatlineColumns(
    indicator="jeugdhulp",
    breakdown="all",
    numerator="Jongeren met jeugdhulp (aantal)",
    denominator="Jongeren tot 18 jaar (aantal)",
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def write(tmp_path: Path, text: str, name: str = "cijfers.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def key(frame: pl.DataFrame, indicator: str, code: str, year: int, breakdown: str) -> dict:
    rows = frame.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("gemeente_code") == code)
        & (pl.col("year") == year)
        & (pl.col("breakdown") == breakdown)
    )
    assert rows.height == 1
    return rows.row(0, named=True)


def test_long_format_replaces_matching_keys_and_keeps_source(tmp_path, data_copy):
    # a gemeente-year without a row (as CBS leaves some empty), so that the import adds a key
    gap = (pl.col("indicator") == "armoede") & (pl.col("gemeente_code") == "GM0363")
    gap = gap & (pl.col("year") == 2024) & (pl.col("breakdown") == "all")
    full = pl.read_parquet(data_copy / "indicators.parquet")
    full.filter(~gap).write_parquet(data_copy / "indicators.parquet")
    before = pl.read_parquet(data_copy / "indicators.parquet")
    path = write(
        tmp_path,
        HEADER
        + "armoede,GM0014,2023,age=4-12,2010,18500,Gemeente Groningen registratie 2023\n"
        + "armoede,GM0363,2023,age=4-12,9876,81234,\n"
        + "armoede,GM0363,2024,all,20000,170000,Eigen raming\n",
    )
    summary = run_import(path, data_copy)
    assert "Imported 3 rows" in summary and "2 replaced, 1 new" in summary
    after = pl.read_parquet(data_copy / "indicators.parquet")
    assert after.height == before.height + 1
    g = key(after, "armoede", "GM0014", 2023, "age=4-12")
    assert (g["numerator"], g["denominator"], g["is_simulated"]) == (2010, 18500, False)
    assert g["source"] == "Gemeente Groningen registratie 2023"
    assert (
        key(after, "armoede", "GM0363", 2023, "age=4-12")["source"]
        == "Eigen gegevens (cijfers.csv)"
    )
    assert key(after, "armoede", "GM0363", 2024, "all")["numerator"] == 20000
    others = ~(
        pl.col("indicator").eq("armoede")
        & pl.col("gemeente_code").is_in(["GM0014", "GM0363"])
        & pl.col("year").is_in([2023, 2024])
        & pl.col("breakdown").is_in(["age=4-12", "all"])
    )
    assert after.filter(others).equals(before.filter(others))
    assert store.validate(data_copy) == []


def test_statline_export_semicolons_decimal_commas_names_and_symbols(tmp_path, data_copy):
    text = (
        '"Regio\'s";"Perioden";"Jongeren met jeugdhulp (aantal)";"Jongeren tot 18 jaar (aantal)"\n'
        '"Nederland";"2023*";"420 000";"3 400 000"\n'
        '"Groningen (PV)";"2023*";"12000";"100000"\n'
        '"Groningen (gemeente)";"2023*";"2345,0";"39876"\n'
        '"Bergen (NH.)";"2023*";"-";"4321"\n'
        '"GM0363";"2023";"15000";"140000"\n'
        '"Ameland";"2023";".";"612"\n'
    )
    path = write(tmp_path, text, "statline.csv", encoding="utf-8-sig")  # StatLine writes a BOM
    summary = run_import(path, data_copy, STATLINE)
    assert "Imported 3 rows" in summary
    after = pl.read_parquet(data_copy / "indicators.parquet")
    g = key(after, "jeugdhulp", "GM0014", 2023, "all")
    assert (g["numerator"], g["denominator"], g["is_simulated"]) == (2345, 39876, False)
    assert g["source"] == "CBS StatLine (statline.csv)"
    assert key(after, "jeugdhulp", "GM0373", 2023, "all")["numerator"] == 0  # "-" is nil
    assert key(after, "jeugdhulp", "GM0363", 2023, "all")["denominator"] == 140000
    ameland = after.filter(
        (pl.col("indicator") == "jeugdhulp") & (pl.col("gemeente_code") == "GM0106")
    )
    assert ameland["year"].to_list() == [2022]  # Ameland "." skipped: no 2023 row
    assert store.validate(data_copy) == []


MALFORMED = {
    "wrong separator (long)": (  # ';' is read (Dutch Excel's 'CSV'); a tab is not
        "indicator\tgemeente_code\tyear\tbreakdown\tnumerator\tdenominator\tsource\n"
        "jeugdhulp\tGM0014\t2023\tall\t10\t100\tx\n",
        None,
        [
            "column 'indicator\tgemeente_code\tyear\tb…', row 1: wrong separator",
            "uses a tab",
            "Opslaan als",
        ],
    ),
    "wrong separator (StatLine)": (
        "Regio's,Perioden,Jongeren met jeugdhulp (aantal),Jongeren tot 18 jaar (aantal)\n"
        "Groningen,2023,10,100\n",
        STATLINE,
        ["column 'Regio's', row 1", "separated by ';'"],
    ),
    "text in a number column": (
        HEADER + "jeugdhulp,GM0014,2023,all,10,100,a\njeugdhulp,GM0034,2023,all,veel,100,a\n",
        None,
        ["column 'numerator', row 3: 'veel' is not a whole number"],
    ),
    "text in a StatLine number column": (
        '"Regio\'s";"Perioden";"Jongeren met jeugdhulp (aantal)";"Jongeren tot 18 jaar (aantal)"\n'
        '"Groningen (gemeente)";"2023";"12,5";"100"\n'
        '"Almere";"2023";"10";"honderd"\n',
        STATLINE,
        [
            "column 'Jongeren met jeugdhulp (aantal)', row 2: '12,5' is not a whole number",
            "column 'Jongeren tot 18 jaar (aantal)', row 3: 'honderd' is not a whole number",
        ],
    ),
    "duplicate rows": (
        HEADER
        + "jeugdhulp,GM0014,2023,all,10,100,a\n"
        + "jeugdhulp,GM0034,2023,all,10,100,a\n"
        + "jeugdhulp,GM0014,2023,all,12,100,b\n",
        None,
        ["column 'indicator, gemeente_code, year, breakdown', row 4: duplicate of row 2"],
    ),
    "negative counts": (
        HEADER + "jeugdhulp,GM0014,2023,all,-5,100,a\njeugdhulp,GM0034,2023,all,5,-100,a\n",
        None,
        [
            "column 'numerator', row 2: negative count -5",
            "column 'denominator', row 3: negative count -100",
        ],
    ),
    "numerator above denominator": (
        HEADER + "jeugdhulp,GM0014,2023,all,500,100,a\n",
        None,
        ["column 'numerator', row 2: numerator 500 is larger than denominator 100"],
    ),
    "unknown indicator and breakdown": (
        HEADER + "jeugdzorggebruik,GM0014,2023,leeftijd=4-12,5,100,a\n",
        None,
        [
            "column 'indicator', row 2: unknown indicator 'jeugdzorggebruik'",
            "column 'breakdown', row 2: unknown breakdown",
        ],
    ),
    "gemeente code from an older year": (
        HEADER + "jeugdhulp,GM0014,2023,all,5,100,a\njeugdhulp,GM0003,2020,all,5,100,a\n",
        None,
        [
            "column 'gemeente_code', row 3: 'GM0003' is a gemeente from before 2021 (Appingedam)",
            "GM1979 Eemsdelta",
        ],
    ),
    "old gemeente name in StatLine": (
        '"Regio\'s";"Perioden";"Jongeren met jeugdhulp (aantal)";"Jongeren tot 18 jaar (aantal)"\n'
        '"Weesp";"2021";"100";"4000"\n',
        STATLINE,
        ["column 'Regio's', row 2: 'Weesp' is a gemeente from before 2022", "GM0363 Amsterdam"],
    ),
    "bad period in StatLine": (
        '"Regio\'s";"Perioden";"Jongeren met jeugdhulp (aantal)";"Jongeren tot 18 jaar (aantal)"\n'
        '"Almere";"2023 1e kwartaal";"100";"4000"\n',
        STATLINE,
        ["column 'Perioden', row 2: '2023 1e kwartaal' is not a year"],
    ),
    "missing column": (
        "indicator,gemeente_code,year,breakdown,numerator,source\njeugdhulp,GM0014,2023,all,5,a\n",
        None,
        ["column 'denominator', row 1: column is missing"],
    ),
    "StatLine without column choice": (
        '"Regio\'s";"Perioden";"Jongeren met jeugdhulp (aantal)"\n"Almere";"2023";"100"\n',
        StatlineColumns(indicator="jeugdhulp", numerator="Jongeren met jeugdhulp (aantal)"),
        ["column '*', row 1: a StatLine export needs --denominator"],
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_csv_names_file_column_row_and_changes_nothing(case, tmp_path, data_copy):
    text, statline, phrases = MALFORMED[case]
    path = write(tmp_path, text)
    before = snapshot(data_copy)
    with pytest.raises(CsvImportError) as err:
        run_import(path, data_copy, statline)
    message = str(err.value)
    for phrase in phrases:
        assert f"{path}: {phrase}" in message or phrase in message
        assert str(path) in message
    first = phrases[0].split(":")[0]
    assert f"{path}: {first}" in message  # the file name leads the first problem's line
    assert snapshot(data_copy) == before


def test_cli_import_exit_codes(tmp_path, data_copy, capsys):
    bad = write(tmp_path, HEADER + "jeugdhulp,GM0014,2023,all,-1,100,a\n", "bad.csv")
    before = snapshot(data_copy)
    assert cli.main(["import", str(bad), "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: column 'numerator', row 2: negative count -1" in err
    assert snapshot(data_copy) == before

    good = write(
        tmp_path, HEADER + "armoede,GM0014,2022,all,1500,30000,CBS Jeugdmonitor\n", "good.csv"
    )
    assert cli.main(["import", str(good), "--data", str(data_copy)]) == 0
    out = capsys.readouterr().out
    assert "Imported 1 rows" in out and "partly real (all)" in out
    assert cli.main(["validate", str(data_copy)]) == 0
