"""What an analyst asks next: "Wat valt op", own comparison gemeenten, the report from the app,
readable wijk maps (without a browser; `test_overview_browser.py` has the browser side)."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from jeugdmonitor.analysis import benchmark, highlights, wijken
from jeugdmonitor.analysis.compare import CompareError, compare_codes, parse_compare
from jeugdmonitor.analysis.indicators import level_values
from jeugdmonitor.analysis.stats import Z95
from jeugdmonitor.app import report_download
from jeugdmonitor.cli import main
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.present import markup, report, report_csv, wijk_map
from jeugdmonitor.present.sections import SECTIONS, Choices, build_sections, wat_valt_op

CAUSAL = re.compile(  # words that say why; lower case only (Leiden is a gemeente)
    r"\b(door|doordat|omdat|oorzaak|oorzaken|veroorzaakt|gevolg|leidt|leidde|dankzij|effect|"
    r"waardoor|verklaart)\b"
)
OVERVIEW = ("GM0344", "PO2707", "JZ13")  # a gemeente, an SWV po, a jeugdregio


def region_tests(store, code, peers=None):
    region = get_region(store, code)
    if peers is None:
        peers = benchmark.peer_set(store, code)[0] if region.type == "gemeente" else ()
    return highlights.region_tests(store, region, peers)


def real_copy(store, indicator):
    """The store with one simulated indicator turned into 'imported real figures'."""
    return dataclasses.replace(
        store,
        indicators=store.indicators.with_columns(
            is_simulated=pl.when(pl.col("indicator") == indicator)
            .then(False)
            .otherwise(pl.col("is_simulated")),
            source=pl.when(pl.col("indicator") == indicator)
            .then(pl.lit("Eigen registratie (test)"))
            .otherwise(pl.col("source")),
        ),
        _cache={},
    )


# ------------------------------------------------------------------------------ the tests


@pytest.mark.parametrize("code", OVERVIEW)
def test_the_nl_test_is_the_mark_shown_everywhere(store, code):
    """Unadjusted, the test against Nederland says what ▲/▼ says in every figure."""
    region = get_region(store, code)
    nl = region_tests(store, code).filter(pl.col("comparison") == "nl")
    assert nl.height >= 10
    for row in nl.iter_rows(named=True):
        marked = (
            level_values(store, row["indicator"], region.type)
            .filter(
                (pl.col("region_code") == code)
                & (pl.col("year") == row["year"])
                & (pl.col("breakdown") == row["breakdown"])
            )["significant"]
            .item()
        )
        assert (row["p"] < 0.05) == (marked is not None), row
        if marked:
            assert row["difference"] > 0 if marked == "hoger" else row["difference"] < 0


def test_p_values_are_holm_adjusted_over_every_test_of_the_page(store):
    tests = region_tests(store, "GM0344")
    p = np.sort(tests["p"].to_numpy())
    m = len(p)
    holm = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p))  # by hand
    assert np.allclose(np.sort(tests["p_adjusted"].to_numpy()), holm)
    raw = tests["p"].to_numpy()
    assert np.allclose(highlights.holm(raw), multipletests(raw, method="holm")[1])
    assert (tests["p_adjusted"] >= tests["p"]).all()
    assert tests["significant"].to_list() == (tests["p_adjusted"] < 0.05).to_list()
    # the correction matters: Schiermonnikoog's drop 2021 → 2022 (p = 0.03) does not count
    small = region_tests(store, "GM0088")
    assert small.filter((pl.col("p") < 0.05) & ~pl.col("significant")).height > 0


def test_two_sample_tests_are_the_pooled_z_test(store):
    tests = region_tests(store, "GM0344").filter(pl.col("comparison").is_in(["peers", "change"]))
    assert set(tests["comparison"]) == {"peers", "change"}
    exact = 0
    for row in tests.iter_rows(named=True):
        # a published (rounded) percentage or an estimate is tested at the end of its own range
        # nearest the reference: the z test on that rate's count
        p = min(max(row["ref_rate"], row["rate_low"]), row["rate_high"])
        exact += row["rate_low"] == row["rate_high"] == row["numerator"] / row["denominator"]
        z, _ = proportions_ztest(
            [p * row["denominator"], row["ref_numerator"]],
            [row["denominator"], row["ref_denominator"]],
        )
        assert row["z"] == pytest.approx(z, rel=1e-9, abs=1e-12)
        low, high = row["difference_low"], row["difference_high"]
        assert low < row["difference"] < high  # Newcombe's interval holds the difference
        if row["rate_low"] == row["rate_high"]:
            assert (low > 0 or high < 0) == (abs(z) > Z95)  # and agrees with the test at 5%
    assert exact >= 5  # most are plain counts


def test_only_real_shown_figures_are_tested_and_imported_ones_join(store):
    tests = region_tests(store, "GM0344")
    simulated = set(store.indicators.filter(pl.col("is_simulated"))["indicator"])
    assert not simulated & set(tests["indicator"])
    assert (tests["numerator"] >= 10).all() and (tests["ref_numerator"] >= 10).all()
    # an imported (real) indicator takes part without any change to the code
    real = real_copy(store, "armoede")
    mine = highlights.region_tests(real, get_region(real, "GM0344"), ())
    assert {"armoede"} <= set(mine["indicator"])
    assert set(mine.filter(pl.col("indicator") == "armoede")["comparison"]) == {"nl", "change"}


def test_nederland_compares_no_years_counted_two_ways(store):
    """2022 is CBS's national figure, 2021 a sum of gemeenten: no change across the two."""
    national = set(store.national["indicator"])
    tests = highlights.region_tests(store, None, ())
    assert not national & set(tests.filter(pl.col("comparison") == "change")["indicator"])
    assert "nl" not in set(tests["comparison"])


# ---------------------------------------------------------------------------- the section


@pytest.mark.parametrize("code", OVERVIEW)
def test_wat_valt_op_says_what_stands_out_with_numbers_intervals_and_links(store, code):
    region = get_region(store, code)
    section = build_sections(store, region)["wat_valt_op"]
    assert list(build_sections(store, region))[0] == "wat_valt_op"  # first on every page
    items = [line for line in section.intro.splitlines() if line.startswith("- ")]
    assert 2 <= len(items) <= wat_valt_op.MAX_ITEMS + 1
    for item in items:
        assert re.search(r"\d+,\d%", item) and "95%-BI" in item, item
        targets = re.findall(r"\]\(#([a-z_]+)\)", item)
        assert targets and all(t in SECTIONS for t in targets), item
    text = section.intro + section.outro
    assert not CAUSAL.search(text), CAUSAL.search(text)
    assert "Holm" in section.outro and "gesimuleerd" in section.outro
    # ranked by the size of the difference, one item per indicator
    found = highlights.differences(region_tests(store, code)).filter(pl.col("first"))
    shown = [
        wat_valt_op.what(store, i, b) for i, b in found.select("indicator", "breakdown").rows()
    ]
    titles = [re.match(r"- \*\*(.+?)\*\*", item)[1] for item in items[:-1]]
    assert titles == shown[: len(titles)]
    assert "(grootste verandering, significant)" in items[-1]


def test_wat_valt_op_says_when_nothing_stands_out(store):
    # Terschelling on its youth-care figures alone (its low-income and education figures, on
    # thousands of households and inhabitants, do differ from Nederland)
    youth_care = ["jeugdzorg", "jeugdhulp", "jeugdhulp_verblijf", "jeugdbescherming"]
    only = dataclasses.replace(
        store,
        indicators=store.indicators.filter(
            (pl.col("gemeente_code") != "GM0093") | pl.col("indicator").is_in(youth_care)
        ),
        _cache={},
    )
    section = build_sections(only, get_region(only, "GM0093"))["wat_valt_op"]
    assert "Geen van de getoetste cijfers van Terschelling verschilt significant" in section.intro


def test_wat_valt_op_of_nederland_explains_its_reference(store):
    section = build_sections(store, None)["wat_valt_op"]
    assert "maatstaf" in section.intro and not CAUSAL.search(section.intro)


def test_an_imported_real_indicator_can_stand_out(store):
    """Generic over the catalogue: an indicator imported as real, where Utrecht is far above
    Nederland, heads the list without any change to the code."""
    real = real_copy(store, "armoede")
    utrecht = (pl.col("indicator") == "armoede") & (pl.col("gemeente_code") == "GM0344")
    real = dataclasses.replace(
        real,
        indicators=real.indicators.with_columns(
            numerator=pl.when(utrecht)
            .then((pl.col("denominator") * 0.6).round())
            .otherwise(pl.col("numerator"))
        ),
        _cache={},
    )
    section = wat_valt_op.build(real, get_region(real, "GM0344"))
    first = next(line for line in section.intro.splitlines() if line.startswith("- "))
    assert first.startswith("- **Kinderen in armoede"), first
    assert (
        "hoger dan Nederland" in first and "[Naar Eerder signaleren](#eerder_signaleren)" in first
    )


# ------------------------------------------------------------------- own comparison gemeenten


def test_compare_codes_are_checked(store):
    assert parse_compare(store, "gm0014, GM0034,GM0014") == (("GM0014", "GM0034"), [])
    codes, problems = parse_compare(store, ["GM0014", "PO2707,XX99"])
    assert codes == ("GM0014",) and problems == [("PO2707", "type"), ("XX99", "unknown")]
    many = ",".join(store.regions.filter(pl.col("type") == "gemeente")["code"][:12])
    assert len(parse_compare(store, many)[0]) == 10
    with pytest.raises(CompareError, match="PO2707 is not a gemeente"):
        compare_codes(store, "PO2707")


def test_chosen_gemeenten_replace_the_computed_ones_in_the_strips_and_get_a_table(store):
    region = get_region(store, "GM0344")
    choices = Choices(compare=("GM0014", "GM0034"))
    built = build_sections(store, region, choices=choices)
    strips = [f for s in built.values() for f in s.figures if f.key.startswith("benchmark_")]
    assert strips
    for strip in strips:
        rows = strip.download
        peers = set(rows.filter(pl.col("vergelijking") == "2 gekozen gemeenten")["regiocode"])
        assert peers == {"GM0014", "GM0034"}, strip.key
        assert "door u gekozen gemeenten (Groningen, Almere)" in strip.explanation
    table = next(f for f in built["wat_valt_op"].figures if f.key == "vergelijking_tabel")
    assert table.table.columns[:4] == ["Cijfer", "Uitsplitsing", "Jaar", "Utrecht"]
    assert table.table.columns[4:] == ["Groningen", "Almere"]
    assert any("▲" in c or "▼" in c for c in table.table["Groningen"])
    # every real indicator of the region has a row
    assert table.table.height == highlights.latest_real(store, region).height
    # without a choice: the computed set, explained once
    default = build_sections(store, region)["wat_valt_op"]
    assert not default.figures and "Eindhoven" in default.outro


def test_report_compare_on_the_command_line(store, tmp_path, capsys):
    assert (
        main(["report", "--region", "GM0344", "--compare", "GM9999", "--out", str(tmp_path)]) == 2
    )
    assert "GM9999 is not a known region code" in capsys.readouterr().err
    out = tmp_path / "r"
    assert (
        main(["report", "--region", "GM0344", "--compare", "GM0014,GM0034", "--out", str(out)]) == 0
    )
    doc = (out / "GM0344.html").read_text("utf-8")
    assert "Utrecht en de gekozen gemeenten" in doc and "<th scope='col'>Almere</th>" in doc


# -------------------------------------------------------------------- report and its CSVs


def unpacked(doc: str, block: str) -> dict:
    text = re.search(rf'<script type="text/plain" id="{block}">([^<]+)</script>', doc)[1]
    return json.loads(gzip.decompress(base64.b64decode(text)))


def test_a_single_report_carries_only_its_regions_rows_and_stays_small(store, tmp_path):
    path = report.write_report(store, "GM0344", tmp_path)
    folder = tmp_path / "GM0344_csv"
    total = path.stat().st_size + sum(f.stat().st_size for f in folder.iterdir())
    assert total <= 2 * 2**20, total
    own, up = report_csv.related_codes(store, get_region(store, "GM0344"))
    assert {"GM0344", "JZ22", "PV26", "NL01", "PO2601", "VO2601"} <= own | up
    assert set(benchmark.peer_set(store, "GM0344")[0]) <= own
    packed = unpacked(path.read_text("utf-8"), "jm-csv")
    assert set(packed) == {f.name for f in folder.iterdir()}
    jeugdzorg = pl.read_csv(folder / "jeugdzorg_gemeenten_2021-2022.csv", separator=";")
    assert set(jeugdzorg["regiocode"]) == own | up  # itself, its peers, its regions, NL
    for name, text in packed.items():  # the page's copy is the file beside it
        assert text.encode("utf-8") == (folder / name).read_bytes(), name
    doc = path.read_text("utf-8")
    assert 'data-csv="jeugdzorg_gemeenten_2021-2022.csv"' in doc


def test_csv_all_keeps_every_region_beside_the_report(store, tmp_path):
    assert main(["report", "--region", "GM0344", "--csv-all", "--out", str(tmp_path)]) == 0
    doc = (tmp_path / "GM0344.html").read_text("utf-8")
    assert 'id="jm-csv"' not in doc and "data-csv=" not in doc
    frame = pl.read_csv(
        tmp_path / "GM0344_csv" / "jeugdzorg_gemeenten_2021-2022.csv", separator=";"
    )
    assert frame["regiocode"].n_unique() == 342


def test_the_download_is_the_report_file_and_is_cached_within_bounds(store, tmp_path):
    region = get_region(store, "GM0088")
    choices = Choices(compare=("GM0093",))
    before = report_download._REPORTS.builds
    data = report_download.report_bytes(store, region, choices)
    assert report_download.report_bytes(store, region, choices) is data  # cached
    assert report_download._REPORTS.builds == before + 1
    written = report.write_report(store, "GM0088", tmp_path, choices=choices)
    assert written.read_bytes() == data  # the same file as `jeugdmonitor report`
    assert report_download.file_name(region) == written.name
    assert len(report_download._REPORTS._entries) <= report_download.REPORTS_KEPT


# ------------------------------------------------------------------------------ wijk maps


def map_figure(store, code):
    built = build_sections(store, get_region(store, code))
    return next(f for f in built["wijken"].figures if f.key == "wijken_kaart")


def test_wijk_names_that_are_drawn_fit_inside_their_wijk(store):
    width, height, scale = wijk_map.map_size(store, "GM0344", many=False)
    assert width == wijk_map.HALF_WIDTH and 0.5 * width <= height <= 1.2 * width
    rows = wijken.wijk_values(store, "GM0344").filter(pl.col("year") == wijken.LATEST)
    names = dict(zip(rows["wijk_code"], rows["gebied"], strict=True))
    labels = wijk_map.labels(store, "GM0344", names, scale)
    assert labels.height == 10 and labels["fits"].sum() >= 3
    shapes = {s[0]: s for s in wijk_map.label_points(store, "GM0344")}
    for code, label, fits in labels.select("code", "label", "fits").iter_rows():
        _, x, y, *_, rings = shapes[code]
        assert wijk_map._inside(np.array([[x, y]]), rings).all(), code  # its point lies inside
        assert fits == wijk_map._fits(label, x, y, rings, scale)
    # a label too long for its wijk does not fit
    code, x, y, *_, rings = shapes[labels["code"][0]]
    assert not wijk_map._fits("X" * 200, x, y, rings, scale)
    assert wijk_map.short_name("Wijk 03 Overvecht") == "Overvecht"
    assert wijk_map.short_name("Wijk 00") == "Wijk 00"
    assert wijk_map.two_lines("Burgwallen-Oude Zijde") == "Burgwallen-\nOude Zijde"


def test_the_chosen_wijk_is_outlined_named_and_chosen_from_the_table(store):
    figure = map_figure(store, "GM0363")
    spec = figure.chart.to_dict()
    assert spec["width"] == wijk_map.FULL_WIDTH and figure.layout == "full"  # Amsterdam: 107
    chosen = next(p for p in spec["params"] if p["name"] == wijk_map.PARAM)
    top = figure.table.sort("Percentage", descending=True, nulls_last=True)["Code"][0]
    assert chosen["value"] == top
    assert len(chosen["bind"]["options"]) == 108 and chosen["bind"]["input"] == "select"
    labels = {r["code"]: r for r in spec["datasets"]["labels"]}
    assert len(labels) == 107 and top in labels  # the chosen one is always drawn (filter)
    layers = json.dumps(spec["layer"])
    assert f"datum.code === {wijk_map.PARAM}" in layers and "datum.fits" in layers
    # the table links every wijk to its place on the map
    assert figure.links == tuple(f"#wijk-{c}" for c in figure.table["Code"])
    html = markup.table_details(figure.table, figure.links)
    assert "<a href='#wijk-WK036300'>Burgwallen-Oude Zijde</a>" in html
    small = map_figure(store, "GM0344")
    assert small.chart.to_dict()["width"] == wijk_map.HALF_WIDTH and small.layout == "half"


def test_the_wijk_choice_works_in_the_app_and_the_reports():
    from jeugdmonitor.app import transport

    assert wijk_map.LINKS_JS in transport.runtime_js().decode("utf-8")
    js = Path(wijk_map.__file__).parents[1] / "static" / "links.js"  # the package root's static/
    assert 'select[name="wijk"]' in js.read_text("utf-8")
