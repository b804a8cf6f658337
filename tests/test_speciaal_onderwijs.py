"""Speciaal onderwijs from DUO 2024: the estimate against the raw files, read here independently
(tarfile + csv, zipfile + json), and the way the figures show it (source, bounds, range only)."""

from __future__ import annotations

import csv
import io
import json
import tarfile
import zipfile
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor.analysis.stats import with_rate_ci
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.sources import duo, pupils
from jeugdmonitor.data.store import load
from jeugdmonitor.present.sections import build_sections
from jeugdmonitor.present.sections import common as c

ROOT = Path(__file__).resolve().parent.parent
PUPILS = ROOT / "raw/duo/duo_po_leerlingen_postcode_leeftijd_2024.tar.gz"
LOCATIONS = ROOT / "raw/duo/edugis_scholen20241122.geo.zip"
SPECIAL = {"Sbo": "sbo", "So": "so", "Vso": "vso"}
SPECIAL_TYPES = {"SBAO", "SO", "VSO", "(V)SO"}  # file 2's special-education location types
ABROAD = {"Belgie", "Duitsland", "ander land", "Onbekend"}


@pytest.fixture(scope="module")
def store():
    return load()


@pytest.fixture(scope="module")
def file1() -> dict:
    """File 1 read with the standard library: per (pupil gemeente code, soort, 4-17 or not) the
    known pupils and the number of `<5` cells; the empty members; DUO's school-side names."""
    names = {}
    rows = []
    empty = []
    with tarfile.open(PUPILS) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            text = tar.extractfile(member).read().decode("utf-8-sig")
            if not text.strip():
                empty.append(member.name)
                continue
            for row in csv.DictReader(io.StringIO(text), delimiter=";"):
                names[row["GEMEENTENAAM"]] = "GM" + row["GEMEENTENUMMER"]
                rows.append(row)
    reviewed = {
        r["name"]: r["code"]
        for r in csv.DictReader(
            (ROOT / "jeugdmonitor/reference/gemeente_names.csv").open(encoding="utf-8")
        )
        if r["status"] == "gemeente"
    }
    bounds: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # known, <5 cells
    for row in rows:
        soort = SPECIAL.get(row["SOORT_PO"])
        name = row["GEMEENTENAAM_LEERLING"]
        if soort is None or name in ABROAD:
            continue
        code = names.get(name) or reviewed[name]
        for column, value in row.items():
            if not column.startswith("LEEFTIJD_"):
                continue
            age = {"JONGER": 3, "OUDER": 25}.get(column[9:]) or int(column[9:])
            cell = bounds[code, soort, 4 <= age <= 17]
            if value == "<5":
                cell[1] += 1
            else:
                cell[0] += int(value)
    return {"bounds": bounds, "empty": empty, "rows": len(rows)}


@pytest.fixture(scope="module")
def file2_total() -> int:
    """Pupils in file 2's special-education locations (each listed once), less Ridderkerk."""
    with zipfile.ZipFile(LOCATIONS) as z:
        features = json.loads(z.read("scholen.geo.json"))["features"]
    seen = {}
    for f in features:
        p = f["properties"]
        if p["type"] in SPECIAL_TYPES and p["gemeente"] != "RIDDERKERK":
            seen[p["vestigingscode"]] = p["leerlingen"] or 0
    return sum(seen.values())


def hard_bounds(file1, code: str, soorten, young: tuple[bool, ...] = (True,)) -> tuple[int, int]:
    known = sum(file1["bounds"][code, s, y][0] for s in soorten for y in young)
    cells = sum(file1["bounds"][code, s, y][1] for s in soorten for y in young)
    return known + cells, known + 4 * cells


def test_the_reader_sees_what_the_files_hold(file1):
    read = duo.read_pupils(PUPILS)
    assert file1["rows"] == 110_853  # README of the source: 110,853 rows
    assert read.empty == file1["empty"] == ["scholenzoeker_2024/Ridderkerk afgeschermd.csv"]
    assert duo.missing_gemeenten(read, PUPILS) == ["GM0597"]  # Ridderkerk
    locations = duo.read_locations(LOCATIONS)
    assert locations["location"].is_unique().all()  # 169 identical copies kept once


def test_every_gemeente_estimate_lies_within_the_bounds_of_file_1(store, file1):
    rows = store.indicators.filter(pl.col("indicator") == "speciaal_onderwijs")
    assert rows.height == 341 * 4 and not rows["is_simulated"].any() and rows["is_estimate"].all()
    assert "GM0597" not in rows["gemeente_code"].to_list()  # Ridderkerk's schools are missing
    checked = 0
    for r in rows.iter_rows(named=True):
        kind = r["breakdown"].removeprefix("type=")
        soorten = ("sbo", "so", "vso") if kind == "all" else (kind,)
        low, high = hard_bounds(file1, r["gemeente_code"], soorten)
        assert low <= r["numerator_low"] <= r["numerator"] <= r["numerator_high"] <= high, r
        checked += 1
    assert checked == 1364


def test_all_gemeenten_together_match_the_school_totals_within_five_percent(store, file2_total):
    """Over all gemeenten of residence, the estimated sbo/so/vso pupils against file 2's totals
    (one school year earlier) less Ridderkerk: all ages through the estimate, and the 4-17 year
    olds the figures show."""
    assert 100_000 < file2_total < 110_000
    file = duo.read_pupils(PUPILS)
    codes = duo.pupil_gemeente_codes(file.cells["pupil_gemeente"], file.school_names, PUPILS)
    cells = pupils.estimate_cells(file.cells, duo.read_locations(LOCATIONS)).join(
        codes, on="pupil_gemeente"
    )
    special = cells.filter(pl.col("soort").is_in(["sbo", "so", "vso"]))
    every_age = special.filter(pl.col("gemeente_code").is_not_null())["estimate_n"].sum() / 1e9
    assert abs(every_age / file2_total - 1) < 0.05, (every_age, file2_total)
    shown = store.indicators.filter(
        (pl.col("indicator") == "speciaal_onderwijs") & (pl.col("breakdown") == "all")
    )["numerator"].sum()
    assert abs(shown / file2_total - 1) < 0.05, (shown, file2_total)
    # the types add up to the total in every gemeente (within rounding)
    wide = store.indicators.filter(pl.col("indicator") == "speciaal_onderwijs").pivot(
        on="breakdown", index="gemeente_code", values="numerator"
    )
    gap = wide.select((pl.col("all") - pl.sum_horizontal("type=sbo", "type=so", "type=vso")).abs())
    assert gap.to_series().max() <= 2


def test_swv_figures_follow_the_pupils_postcodes(store, file1):
    """PO2707 (Amsterdam, Diemen): the regional figure is within the bounds of the cells of the
    postcodes the regio-indeling puts in it, counted here from the raw files."""
    pc4 = {
        r["pc4"]: r["po_swv"]
        for r in csv.DictReader((ROOT / "raw/swv/swv_regio_indeling_pc4_2015.csv").open())
    }
    known = cells = 0
    with tarfile.open(PUPILS) as tar:
        for member in tar.getmembers():
            text = tar.extractfile(member).read().decode("utf-8-sig") if member.isfile() else ""
            for row in csv.DictReader(io.StringIO(text), delimiter=";") if text.strip() else []:
                if row["SOORT_PO"] not in SPECIAL or pc4.get(row["POSTCODE_LEERLING"]) != "PO2707":
                    continue
                for column, value in row.items():
                    age = column[9:]
                    if column.startswith("LEEFTIJD_") and age.isdigit() and 4 <= int(age) <= 17:
                        cells += value == "<5"
                        known += int(value) if value != "<5" else 0
    own = store.regional.filter(
        (pl.col("region_code") == "PO2707") & (pl.col("breakdown") == "all")
    ).row(0, named=True)
    assert known + cells <= own["numerator_low"] <= own["numerator"]
    assert own["numerator"] <= own["numerator_high"] <= known + 4 * cells
    assert "woonpostcode" in own["source"]


@pytest.mark.parametrize("code", ["GM0344", "PO2707"])
def test_a_gemeente_and_an_swv_show_duo_2024_as_an_estimate(store, code):
    section = build_sections(store, get_region(store, code))["speciaal_onderwijs"]
    bars = next(f for f in section.figures if f.key == "speciaal_onderwijs_aandeel")
    assert "DUO 2024" in bars.source and "schatting" in bars.source
    assert bars.badge == "DUO, 2024, schatting" and not bars.simulated
    assert "Een schatting" in section.intro and "4- tot en met 17-jarigen" in section.intro
    row = bars.table.filter(pl.col("Uitsplitsing") == "Totaal").row(0, named=True)
    assert row["Percentage"] is not None and row["95%-BI ondergrens"] < row["Percentage"]
    if code.startswith("PO"):
        assert "woonpostcode" in bars.explanation


def test_the_bounds_widen_the_interval():
    frame = pl.DataFrame(
        {"numerator": [100.0], "denominator": [1000.0], "numerator_low": [80.0],
         "numerator_high": [130.0]}
    )  # fmt: skip
    exact = with_rate_ci(frame.drop("numerator_low", "numerator_high")).row(0, named=True)
    wide = with_rate_ci(frame).row(0, named=True)
    assert wide["rate"] == exact["rate"] == 0.1
    assert wide["ci_low"] < exact["ci_low"] and wide["ci_high"] > exact["ci_high"]
    assert wide["ci_high"] > 0.13 > 0.08 > wide["ci_low"] > 0.06


def test_a_range_too_wide_for_one_number_shows_the_range_only():
    frame = with_rate_ci(
        pl.DataFrame(
            {"numerator": [40.0, 40.0], "denominator": [2000.0, 2000.0],
             "numerator_low": [20.0, 36.0], "numerator_high": [70.0, 44.0],
             "significant": [None, None], "breakdown": ["all", "all"], "rol": ["regio", "nl"],
             "coverage_note": [None, None], "is_simulated": [False, False]},
            schema_overrides={"significant": pl.String, "coverage_note": pl.String},
        )
    ).with_columns(nl_rate=pl.lit(0.02))  # fmt: skip
    shown = c.shown(frame)
    assert shown["range_only"].to_list() == [True, False]
    assert shown["rate"][0] is None and shown["ci_low"][0] is not None
    assert shown["rate"][1] == 0.02
    text = c.summary(shown[0:1].vstack(shown[1:2]), get_region(load(), "GM0088"), what="x")
    assert "tussen" in text and c.RANGE_TEXT in text
    assert c.figure_table(shown.with_columns(gebied=pl.lit("X")))["Verschil met NL"][0] == (
        c.RANGE_TEXT
    )


def test_allocation_keeps_every_cell_within_one_to_four_and_adds_up():
    """A small made-up file: a location with a total, one without, one whose total is too low
    for file 1 (taken as the least file 1 allows)."""
    rows = []
    for loc, pcs in (
        ("AAAA00", ["1011", "1012", "1013"]),
        ("BBBB00", ["2011"]),
        ("CCCC00", ["3011"]),
    ):
        for i, pc in enumerate(pcs):
            for age in range(4, 4 + 3 + i):
                rows.append((loc, pc, "so", age, None, True))
    rows.append(("AAAA00", "1013", "so", 12, 7, False))
    cells = pl.DataFrame(
        rows,
        schema={"location": pl.String, "pc4": pl.String, "soort": pl.String, "age": pl.Int8,
                "count": pl.Int64, "suppressed": pl.Boolean},
        orient="row",
    ).with_columns(pupil_gemeente=pl.lit("X"), school_gemeente=pl.lit("GM0001"))  # fmt: skip
    locations = pl.DataFrame(
        {"location": ["AAAA00", "CCCC00", "BBBB00"], "type": ["SO"] * 3, "gemeente": ["X"] * 3,
         "total": [7 + 20, 1, None]}
    )  # fmt: skip
    # (the per-soort means need a basisschool location with a total: add one)
    bo = pl.DataFrame(
        {"location": ["DDDD00"] * 2, "pc4": ["4011", "4012"], "soort": ["bo", "bo"],
         "age": [6, 6], "count": [30, None], "suppressed": [False, True]},
        schema_overrides={"age": pl.Int8},
    ).with_columns(pupil_gemeente=pl.lit("X"), school_gemeente=pl.lit("GM0001"))  # fmt: skip
    cells = pl.concat([cells, bo.select(cells.columns)])
    locations = pl.concat([locations, pl.DataFrame(
        {"location": ["DDDD00"], "type": ["basisschool"], "gemeente": ["X"], "total": [32]})])  # fmt: skip
    out = pupils.estimate_cells(cells, locations)
    hidden = out.filter(pl.col("suppressed"))
    assert (hidden["estimate_n"] >= 1e9).all() and (hidden["estimate_n"] <= 4e9).all()
    per = out.group_by("location").agg((pl.col("estimate_n").sum() / 1e9).round(6).alias("n"))
    totals = dict(per.iter_rows())
    assert totals["AAAA00"] == pytest.approx(27)  # 7 known + 20 in its 12 `<5` cells
    assert totals["CCCC00"] == pytest.approx(3)  # a total of 1 is below file 1's least: 3 cells
    assert totals["DDDD00"] == pytest.approx(32)
    # the postcode with pupils at more ages gets more per cell
    a = (
        hidden.filter(pl.col("location") == "AAAA00")
        .group_by("pc4")
        .agg(pl.col("estimate_n").mean())
    )
    means = dict(a.iter_rows())
    assert means["1013"] > means["1012"] > means["1011"]
    grouped = pupils.group(out.with_columns(g=pl.lit("X")), ["g"])
    r = grouped.row(0, named=True)
    assert r["hard_low"] <= r["low"] <= r["estimate"] <= r["high"] <= r["hard_high"]


def test_a_bad_cell_names_file_column_and_row(tmp_path):
    with tarfile.open(PUPILS) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("Utrecht afgeschermd.csv"))
        text = tar.extractfile(member).read().decode("utf-8-sig")
    lines = text.splitlines()
    lines[3] = lines[3].replace('"<5"', '"abc"', 1).replace('"0"', '"abc"', 1)
    broken = tmp_path / "duo.tar.gz"
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with tarfile.open(broken, "w:gz") as tar:
        info = tarfile.TarInfo("scholenzoeker_2024/Utrecht afgeschermd.csv")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(
        duo.DuoSourceError, match=r"Utrecht afgeschermd\.csv\): column 'LEEFTIJD_\w+', row 4"
    ):
        duo.read_pupils(broken)


def test_an_unknown_pupil_gemeente_stops_the_build():
    with pytest.raises(duo.DuoSourceError, match="GEMEENTENAAM_LEERLING.*Atlantis"):
        duo.pupil_gemeente_codes(pl.Series(["Utrecht", "Atlantis"]), {"Utrecht": "GM0344"}, PUPILS)


def test_a_figure_with_too_wide_a_margin_draws_the_range_and_says_so(store):
    """Hollands Kroon's sbo estimate (59, bounds 49-79) says too little for one number: no bar,
    the interval drawn, 'alleen bereik' after it (not 'te weinig waarnemingen'), the table too."""
    built = build_sections(store, get_region(store, "GM1911"))
    bars = next(
        f for f in built["speciaal_onderwijs"].figures if f.key == "speciaal_onderwijs_aandeel"
    )
    rows = bars.chart.to_dict()["datasets"]["rows"]
    sbo = next(r for r in rows if r["rol"] == "regio" and r["categorie"].endswith("(sbo)"))
    assert sbo["rate"] is None and sbo["ci_low"] < sbo["ci_high"]
    assert sbo["sig"] == "alleen bereik" and sbo["note"] == ""
    total = next(r for r in rows if r["rol"] == "regio" and r["categorie"] == "Totaal")
    assert total["rate"] is not None and total["sig"] != "alleen bereik"
    table = bars.table.filter(pl.col("Regio") != "Nederland")
    assert table.filter(pl.col("Verschil met NL") == c.RANGE_TEXT).height == 1


def test_the_strip_shows_such_an_estimate_as_its_interval_too(store):
    """Baarle-Nassau's total (28, bounds 24-40): the strip agrees with the bars (no number)."""
    built = build_sections(store, get_region(store, "GM0744"))
    strip = next(
        f
        for f in built["speciaal_onderwijs"].figures
        if f.key == "benchmark_speciaal_onderwijs_all"
    )
    own = next(r for r in strip.chart.to_dict()["datasets"]["rows"] if r["kind"] == "gemeente")
    assert (
        own["rate"] is None and own["ci_low"] is not None and own["count_label"] == "alleen bereik"
    )
    assert "te grote marge" in strip.summary
    bars = next(
        f for f in built["speciaal_onderwijs"].figures if f.key == "speciaal_onderwijs_aandeel"
    )
    assert "tussen" in bars.summary and c.RANGE_TEXT in bars.summary
