"""Bad data never becomes a wrong number (issue 12, defects 1-3 and 5, dry run, validate, CSV).

Every test works on a private copy of data/ and checks that a refused input leaves it
byte-for-byte as it was. The browser side (missing file, live reload, markup) is in
`test_data_browser.py`; history and restore in `test_history.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor import cli
from jeugdmonitor.analysis.update import run_import
from jeugdmonitor.data import store as store_mod
from jeugdmonitor.data.sources.csv_import import CsvImportError
from jeugdmonitor.present.markup import markdown_html
from jeugdmonitor.present.sections.common import csv_bytes, download, md_escape

HEADER = "indicator,gemeente_code,year,breakdown,numerator,denominator,source\n"
THIS_YEAR = dt.date.today().year


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def write(tmp_path: Path, text: str, name: str = "cijfers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row(frame: pl.DataFrame, indicator: str, code: str, year: int, breakdown: str) -> dict:
    found = frame.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("gemeente_code") == code)
        & (pl.col("year") == year)
        & (pl.col("breakdown") == breakdown)
    )
    assert found.height == 1
    return found.row(0, named=True)


def refused(path: Path, data: Path, *args: str) -> str:
    """Run `jeugdmonitor import` expecting exit code 2; returns stderr; data/ must be unchanged."""
    before = snapshot(data)
    with pytest.raises(CsvImportError) as err:
        run_import(path, data, **dict(a.split("=", 1) for a in args))
    assert snapshot(data) == before
    return str(err.value)


# ------------------------------------------------------- defect 1: Dutch thousands separators


def test_dutch_thousands_separators_are_never_read_as_decimals(tmp_path, data_copy, capsys):
    path = write(tmp_path, HEADER + 'armoede,GM0014,2023,all,"9.000","68.000",x\n')
    before = snapshot(data_copy)
    assert cli.main(["import", str(path), "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: column 'numerator', row 2: '9.000' is not a plain whole number" in err
    assert f"{path}: column 'denominator', row 2: '68.000'" in err
    assert "--number-format nl" in err
    assert snapshot(data_copy) == before
    # English decimals, a decimal comma and a space are refused the same way
    for cell in ('"9,000"', "9.5", "9 000", "9.0"):
        other = write(tmp_path, HEADER + f"armoede,GM0014,2023,all,{cell},68000,x\n", "b.csv")
        assert "is not a plain whole number" in refused(other, data_copy)


def test_declared_dutch_number_format_reads_thousands_and_refuses_decimals(tmp_path, data_copy):
    path = write(
        tmp_path,
        HEADER
        + 'armoede,GM0014,2023,all,"9.000","68.000",x\n'
        + 'armoede,GM0034,2023,all,"1.234,0",12345,y\n',
    )
    run_import(path, data_copy, number_format="nl")
    after = pl.read_parquet(data_copy / "indicators.parquet")
    groningen = row(after, "armoede", "GM0014", 2023, "all")
    assert (groningen["numerator"], groningen["denominator"]) == (9000, 68000)
    assert row(after, "armoede", "GM0034", 2023, "all")["numerator"] == 1234
    bad = write(
        tmp_path,
        HEADER
        + 'armoede,GM0014,2023,all,"12,5",100,x\n'
        + 'armoede,GM0034,2023,all,"1.23.4",1000,x\n',
        "bad.csv",
    )
    message = refused(bad, data_copy, "number_format=nl")
    assert "column 'numerator', row 2: '12,5' is not a whole number" in message
    assert "column 'numerator', row 3: '1.23.4' is not a whole number" in message


def test_statline_thousands_separators_are_read_in_dutch(tmp_path, data_copy):
    from jeugdmonitor.data.sources.csv_import import StatlineColumns

    text = (
        '"Regio\'s";"Perioden";"Met jeugdhulp";"Jongeren"\n'
        '"Groningen (gemeente)";"2023";"9.000";"68.000"\n'
    )
    path = write(tmp_path, text, "statline.csv")
    run_import(path, data_copy, StatlineColumns("armoede", "all", "Met jeugdhulp", "Jongeren"))
    got = row(pl.read_parquet(data_copy / "indicators.parquet"), "armoede", "GM0014", 2023, "all")
    assert (got["numerator"], got["denominator"]) == (9000, 68000)


# -------------------------------------------------------------------- defect 2: impossible years


@pytest.mark.parametrize(
    ("year", "phrase"),
    [
        (1899, "year 1899 is before the first year of jeugdhulp in the catalogue (2015;"),
        (2014, "year 2014 is before the first year of jeugdhulp in the catalogue (2015;"),
        (THIS_YEAR + 5, f"year {THIS_YEAR + 5} lies in the future"),
        ("20233", "'20233' is not a year"),
    ],
)
def test_import_refuses_years_outside_the_catalogue_and_after_today(
    tmp_path, data_copy, year, phrase
):
    path = write(tmp_path, HEADER + f"jeugdhulp,GM0014,{year},all,900,6800,x\n")
    assert f"{path}: column 'year', row 2: {phrase}" in refused(path, data_copy)


def test_validate_checks_years_against_catalogue_and_today(data_copy, capsys):
    frame = pl.read_parquet(data_copy / "indicators.parquet")
    frame.with_columns(
        year=pl.when(pl.int_range(pl.len()) == 7).then(1899).otherwise("year").cast(pl.Int32)
    ).write_parquet(data_copy / "indicators.parquet")
    assert cli.main(["validate", str(data_copy)]) == 1
    err = capsys.readouterr().err
    # index 7 is row 9: validate counts as import does (the header is row 1)
    assert "indicators.parquet: column 'year', row 9: year 1899 of" in err
    assert "is before its first catalogue year" in err


def test_catalogue_year_ranges():
    assert store_mod.parse_year_range("2020-2024") == (2020, 2024)
    assert store_mod.parse_year_range("2015-") == (2015, None)
    assert store_mod.parse_year_range("2022") == (2022, 2022)
    assert store_mod.parse_year_range("2024-2020") is None
    assert store_mod.parse_year_range("vanaf 2020") is None


# --------------------------------------------------------------- defect 3: corrupt TopoJSON


def _gap(topo):
    topo["arcs"][0] = topo["arcs"][0][:-1]  # the first ring no longer closes


MAP_DEFECTS = {
    "cut off": (lambda p: p.write_bytes(p.read_bytes()[:5000]), "not valid JSON"),
    "not topology": (
        lambda p: p.write_text('{"type": "FeatureCollection", "features": []}', "utf-8"),
        "not a TopoJSON file",
    ),
    "gemeente missing": (
        lambda p: _edit(p, lambda t: t["objects"]["gemeente"]["geometries"].pop(3)),
        "no shape for 1 gemeente code(s): GM0047",
    ),
    "unknown code": (
        lambda p: _edit(p, lambda t: t["objects"]["gemeente"]["geometries"][3].update(id="GM9999")),
        "unknown gemeente code 'GM9999'",
    ),
    "open ring": (lambda p: _edit(p, _gap), re.compile("the outline has a gap|not closed")),
    "bad arc index": (
        lambda p: _edit(
            p, lambda t: t["objects"]["gemeente"]["geometries"][0]["arcs"][0].append(10**6)
        ),
        "refers to arc 1000000",
    ),
    "swapped lon/lat": (
        lambda p: _edit(
            p, lambda t: t["transform"].update(translate=t["transform"]["translate"][::-1])
        ),
        "outside the Netherlands",
    ),
}


def _edit(path: Path, edit) -> None:
    topo = json.loads(path.read_text("utf-8"))
    edit(topo)
    path.write_text(json.dumps(topo), "utf-8")


@pytest.mark.parametrize("case", list(MAP_DEFECTS))
def test_validate_and_report_refuse_a_corrupt_map(case, data_copy, tmp_path, capsys):
    damage, phrase = MAP_DEFECTS[case]
    path = data_copy / "geo" / "gemeente.topojson"
    damage(path)
    assert cli.main(["validate", str(data_copy)]) == 1
    err = capsys.readouterr().err
    pattern = phrase if isinstance(phrase, re.Pattern) else re.compile(re.escape(phrase))
    assert f"{path}: " in err and pattern.search(err)
    out = tmp_path / "reports"
    code = cli.main(["report", "--region", "GM0014", "--data", str(data_copy), "--out", str(out)])
    assert code == 2
    assert pattern.search(capsys.readouterr().err)
    assert not (out / "GM0014.html").exists()


def test_every_bundled_map_passes_and_a_check_is_cached(data_dir):
    from jeugdmonitor.data import geocheck

    frames, _ = store_mod.read_tables(data_dir)
    for level in store_mod.GEO_LEVELS:
        data = (data_dir / "geo" / f"{level}.topojson").read_bytes()
        codes = store_mod.map_codes(frames, level)
        assert geocheck.check_map(data, level, codes, complete=level != "wijk") == []
    assert len(geocheck._cache) <= geocheck._CACHE_SIZE


# --------------------------------------------------- defect 5: side effects told before writing


def test_import_of_one_gemeente_reports_every_region_it_changes(tmp_path, data_copy, capsys):
    path = write(tmp_path, HEADER + "armoede,GM0014,2023,all,2100,18500,Registratie Groningen\n")
    assert cli.main(["import", str(path), "--data", str(data_copy)]) == 0
    out = capsys.readouterr().out
    report, _, summary = out.partition("Imported 1 rows")
    assert "armoede                     2023         1       0" in report
    for code in ("NL01 Nederland", "PV20", "JZ01", "PO2001", "VO2001", "GM0014 Groningen"):
        assert code in report, code
    assert "NL line, the NL source line" in report
    nl_line = next(line for line in report.splitlines() if "NL01 Nederland:" in line)
    assert "source" in nl_line  # the NL source line now names the imported source
    assert "would combine real and simulated gemeente figures" in report
    assert "Registratie Groningen" in summary


def test_dry_run_prints_the_changes_and_writes_nothing(tmp_path, data_copy, capsys):
    path = write(
        tmp_path,
        HEADER
        + "eenoudergezin,GM0014,2023,all,2100,18500,a\n"
        + "eenoudergezin,GM0014,2022,all,2000,18500,a\n"
        + "armoede,GM0363,2023,all,21500,152000,b\n",
    )
    before = snapshot(data_copy)
    assert cli.main(["import", str(path), "--data", str(data_copy), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert snapshot(data_copy) == before and not (data_copy / "history").exists()
    assert "Dry run: 3 rows" in out and "nothing was written" in out
    for line in (
        "armoede                     2023         1       0",
        "eenoudergezin               2022         1       0",
        "eenoudergezin               2023         1       0",
    ):
        assert line in out
    assert "Regions whose shown values change:" in out and "GM0014 Groningen" in out
    assert "PO2707 SWV po 27-07 Amsterdam" in out  # Amsterdam's SWV moves with its armoede
    assert "Coverage warnings:" in out and "NL01 Nederland: 1 of 342 gemeenten real" in out
    # a dry run of a bad file fails exactly like the import would
    bad = write(tmp_path, HEADER + "armoede,GM0014,1899,all,1,2,a\n", "bad.csv")
    assert cli.main(["import", str(bad), "--data", str(data_copy), "--dry-run"]) == 2
    assert "row 2" in capsys.readouterr().err
    assert snapshot(data_copy) == before


def test_dry_run_counts_added_rows_and_warns_of_missing_members(tmp_path, data_copy, capsys):
    frame = pl.read_parquet(data_copy / "indicators.parquet")
    frame.filter(
        ~((pl.col("gemeente_code") == "GM0014") & (pl.col("indicator") == "armoede"))
    ).write_parquet(data_copy / "indicators.parquet")
    path = write(
        tmp_path,
        HEADER + "armoede,GM0014,2022,all,2100,18500,a\narmoede,GM0034,2023,all,9000,60000,a\n",
    )
    assert cli.main(["import", str(path), "--data", str(data_copy), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "armoede                     2022         0       1" in out
    assert "armoede                     2023         1       0" in out
    assert "armoede 2023 all: 5 region(s) would miss gemeenten without a value" in out
    assert "NL01 Nederland: 341 of 342 gemeenten have a value" in out


# ------------------------------------------------------------------- text from data is inert


PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "[klik](javascript:alert(4))",
    "$x$ \\(y\\) \\[z\\]",
    "a*b_c`d|e#f~g",
    "regel\n# kop",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_escape_renders_every_payload_as_plain_text(payload):
    import html
    import re

    rendered = markdown_html(f"**regio:** {md_escape(payload)}")
    tags = set(re.findall(r"<(/?[a-z0-9]+)", rendered))
    assert tags <= {"span", "/span", "strong", "/strong"}, rendered
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert text == "regio: " + " ".join(payload.splitlines())


def test_csv_downloads_neutralise_formulas_and_keep_negative_numbers(store):
    from jeugdmonitor.data.files import formula_safe

    frame = pl.DataFrame(
        {
            "regio": [
                '=HYPERLINK("http://x")',
                "+1+2",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "-5",
                "gewoon",
            ],
            "aantal": [-1, 2, 3, 4, 5, 6, 7, 8],
            "percentage": [-1.5, 0.2, None, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    text = csv_bytes(frame).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"")";-1;-1,5'
    assert lines[2].startswith("'+1+2;") and lines[3].startswith("'-2+3;")
    assert lines[4].startswith("'@SUM(A1);")
    assert text.count("'\tx") == 1 and '"\'\rx"' in text
    assert lines[-2].startswith("-5;7;")  # a number written as text stays a number
    assert formula_safe(frame)["aantal"].to_list() == frame["aantal"].to_list()
    # the real download path: a region name that starts like a formula
    poisoned = store.regions.with_columns(
        display_name=pl.when(pl.col("code") == "GM0014")
        .then(pl.lit("=cmd|' /C calc'!A0"))
        .otherwise("display_name")
    )
    frames = {name: getattr(store, name) for name in store_mod.SCHEMAS}
    other = store_mod.from_frames(store.data_dir, {**frames, "regions": poisoned})
    table, _ = download(other, "armoede", "gemeente")
    body = csv_bytes(table).decode("utf-8-sig")
    assert "\nGM0014;'=cmd|' /C calc'!A0;Gemeente;armoede;" in body


def test_validate_refuses_region_codes_that_could_escape_a_file_name_or_link(data_copy, capsys):
    path = data_copy / "regions.parquet"
    regions = pl.read_parquet(path)
    for code in ("../../etc/x", "javascript:alert(1)//"):
        regions.with_columns(
            code=pl.when(pl.col("code") == "JZ01").then(pl.lit(code)).otherwise("code")
        ).write_parquet(path)
        assert cli.main(["validate", str(data_copy)]) == 1
        err = capsys.readouterr().err
        assert "regions.parquet: column 'code'" in err and "is not two capital letters" in err
