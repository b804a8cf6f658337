"""The build: deterministic on any machine, complete geography, real CBS figures, honest simulation."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor.data import build, demo
from jeugdmonitor.data.sources import crosswalk as cw
from jeugdmonitor.data.sources import geo, jeugdzorg, kwb, population, statline, swv

# What "another machine" looks like to the numeric libraries: another BLAS kernel (the SWV maps
# used to differ with it), no AVX2/AVX-512 code paths in numpy, one polars thread, another hash seed.
OTHER_MACHINE = {
    "OPENBLAS_CORETYPE": "Prescott",
    "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
    "POLARS_MAX_THREADS": "1",
    "PYTHONHASHSEED": "12345",
}


@pytest.fixture(scope="module")
def two_builds(raw_dir: Path, tmp_path_factory) -> tuple[Path, Path]:
    """One build in this process, one in a fresh process that looks like another machine."""
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    build.build(raw_dir, a)
    code = "import sys; from jeugdmonitor.data.build import build; build(sys.argv[1], sys.argv[2])"
    subprocess.run(
        [sys.executable, "-c", code, str(raw_dir), str(b)],
        check=True,
        env={**os.environ, **OTHER_MACHINE},
    )
    return a, b


def _files(folder: Path) -> dict[str, bytes]:
    """The built files of a data folder (earlier versions kept under history/ are not built)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and p.suffix in {".parquet", ".topojson"}
        and p.relative_to(folder).parts[0] != "history"
    }


def test_two_builds_are_byte_identical(two_builds):
    a, b = two_builds
    fa, fb = _files(a), _files(b)
    assert len(fa) == 16  # 10 tables, 6 maps
    assert fa.keys() == fb.keys()
    different = [name for name in fa if fa[name] != fb[name]]
    assert different == []


def test_bundled_data_is_what_the_build_makes(two_builds, data_dir):
    """data/ in the repo must be regenerated whenever the code or reference files change."""
    built, bundled = _files(two_builds[0]), _files(data_dir)
    assert built.keys() == bundled.keys()
    stale = [name for name in built if built[name] != bundled[name]]
    assert stale == [], "run `jeugdmonitor build`"


def test_raw_sources_are_unchanged_copies(raw_dir):
    """raw/ is immutable: every file matches SHA256SUMS, and every file the build reads is listed."""
    listed = {}
    for line in (raw_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.removeprefix("./")] = digest
    for name, digest in listed.items():
        assert hashlib.sha256((raw_dir / name).read_bytes()).hexdigest() == digest, name
    assert set(build.RAW_FILES.values()) <= set(listed)


def test_default_sources_are_the_repository_raw_folder(raw_dir):
    assert build.DEFAULT_SOURCES.resolve() == raw_dir.resolve()


def test_gemeente_codes_and_names_come_from_the_map(store, raw_dir):
    topo = geo.read_topology(raw_dir / "cartomap/gemeente_2024.topojson")
    feats = geo.features(topo, "gemeente_2024")
    gm = store.regions.filter(pl.col("type") == "gemeente").sort("code")
    assert gm["code"].to_list() == feats["code"].to_list()
    assert gm["name"].to_list() == feats["name"].to_list()
    assert "Súdwest-Fryslân" in gm["name"].to_list()


def _membership_by_type(store) -> pl.DataFrame:
    return store.membership.join(
        store.regions.select(pl.col("code").alias("region_code"), "type"), on="region_code"
    )


def test_every_gemeente_in_one_provincie_and_one_jeugdregio(store):
    m = _membership_by_type(store)
    for kind in ("provincie", "jeugdregio", "nederland", "gemeente"):
        per = (
            m.filter(pl.col("type") == kind)
            .group_by("gemeente_code")
            .agg(pl.len(), pl.col("weight").sum())
        )
        assert per.height == 342, kind
        assert per["len"].to_list() == [1] * 342, kind
        assert per["weight"].to_list() == [1.0] * 342, kind


def test_swv_weights_sum_to_one_per_gemeente(store):
    m = _membership_by_type(store)
    for kind in ("swv_po", "swv_vo"):
        sums = (
            m.filter(pl.col("type") == kind).group_by("gemeente_code").agg(pl.col("weight").sum())
        )
        assert sums.height == 342, kind
        assert (sums["weight"] - 1.0).abs().max() < 1e-9, kind
    split = (
        m.filter(pl.col("type") == "swv_po")
        .group_by("gemeente_code")
        .len()
        .filter(pl.col("len") > 1)
    )
    assert split.height > 0  # some gemeenten really are split over SWVs


def test_swv_weight_is_postcode_share():
    """A gemeente with 3 postcodes in SWV A and 1 in B gets weights 0.75 and 0.25."""
    gemeenten = pl.DataFrame({"code": ["GM0001", "GM0002"], "name": ["Aaa", "Bbb"]})
    pc4 = pl.DataFrame(
        {
            "pc4": ["1000", "1001", "1002", "1003", "2000", "2001"],
            "gemeente": ["Aaa", "Aaa", "Aaa", "Aaa", "Oud", "Oud"],
            "po_swv": ["PO0101", "PO0101", "PO0101", "PO0102", "PO0102", "PO0102"],
            "vo_swv": ["VO0101"] * 6,
        }
    )
    crosswalk = pl.DataFrame(
        {
            "old_name": ["Oud"],
            "old_code": [None],
            "gm_code": ["GM0002"],
            "gm_name": ["Bbb"],
            "share": [1.0],
            "since": [2019],
            "note": ["merged"],
        },
        schema=cw.CROSSWALK_SCHEMA,
    )
    w = swv.swv_weights(pc4, gemeenten, crosswalk)
    got = {(r["gemeente_code"], r["region_code"]): r["weight"] for r in w.iter_rows(named=True)}
    assert got == {
        ("GM0001", "PO0101"): 0.75,
        ("GM0001", "PO0102"): 0.25,
        ("GM0002", "PO0102"): 1.0,
        ("GM0001", "VO0101"): 1.0,
        ("GM0002", "VO0101"): 1.0,
    }


def test_swv_display_names_use_largest_members(store):
    amsterdam = store.region_index["PO2707"]
    assert amsterdam["display_name"].startswith("SWV po 27-07 Amsterdam")
    names = store.regions.filter(pl.col("type").str.starts_with("swv"))["display_name"]
    assert names.n_unique() == names.len()


def test_crosswalk_is_consistent(raw_dir):
    """The reviewed crosswalk resolves every old name/code, targets real 2024 gemeenten, shares sum to 1."""
    xw = cw.load_crosswalk()
    feats = geo.features(
        geo.read_topology(raw_dir / "cartomap/gemeente_2024.topojson"), "gemeente_2024"
    )
    names = dict(feats.select("code", "name").iter_rows())
    for row in xw.iter_rows(named=True):
        assert names.get(row["gm_code"]) == row["gm_name"], row
    shares = xw.group_by("old_name").agg(pl.col("share").sum())
    assert (shares["share"] - 1.0).abs().max() < 1e-9
    pc4 = swv.read_pc4_table(raw_dir / "swv/swv_regio_indeling_pc4_2015.csv")
    resolved = cw.resolve_names(pc4["gemeente"], feats, xw)
    assert set(resolved["old_name"]) == set(pc4["gemeente"])
    kwb_rows = kwb.level(kwb.read(raw_dir / build.RAW_FILES["kwb"]), "gemeente")
    old = pl.concat(
        [
            kwb_rows["code"],
            population.read_kwb2019(raw_dir / build.RAW_FILES["kwb2019"])["old_code"],
        ]
    )
    by_code = cw.resolve_codes(old, feats, xw)
    assert set(by_code["old_code"]) == set(old)
    assert set(resolved["gm_code"]) | set(by_code["gm_code"]) <= set(names)


def test_crosswalk_rejects_unknown_names(raw_dir):
    feats = geo.features(
        geo.read_topology(raw_dir / "cartomap/gemeente_2024.topojson"), "gemeente_2024"
    )
    with pytest.raises(ValueError, match="Atlantis"):
        cw.resolve_names(pl.Series(["Atlantis", "Amsterdam"]), feats, cw.load_crosswalk())


def _odata(raw_dir: Path) -> pl.DataFrame:
    return jeugdzorg.read_odata_csv(raw_dir / build.RAW_FILES["jz2022"])


def test_population_is_estimated_per_year_from_real_parts(store, raw_dir):
    """Every row is flagged; 0-14 year olds add up to KWB's count; merged gemeenten are sums."""
    pop = store.population
    assert pop["is_estimate"].all()
    assert sorted(pop["year"].unique().to_list()) == list(population.YEARS)
    assert sorted(pop["age_group"].unique().to_list()) == sorted(population.AGE_GROUPS)
    assert (
        pop.group_by("year").agg(pl.col("gemeente_code").n_unique())["gemeente_code"].to_list()
        == [342] * 6
    )
    nl = kwb.level(kwb.read(raw_dir / build.RAW_FILES["kwb"]), "land")
    # the split keeps the 0-14 total of KWB 2022 (only rounding per gemeente and age group)
    bands = population.read_bands(
        raw_dir / build.RAW_FILES["bands"],
        store.regions.filter(pl.col("type") == "gemeente").select("code", "name"),
        cw.load_crosswalk(),
    )
    shares = bands.select(
        "gemeente_code",
        (0.6 * pl.col("b10") / (pl.col("b00") + pl.col("b05") + pl.col("b10"))).alias("s1214"),
        (0.6 * pl.col("b15") / (pl.col("b15") + pl.col("b20"))).alias("s1517"),
    )
    y22 = pop.filter(pl.col("year") == 2022).pivot(
        on="age_group", index="gemeente_code", values="population"
    )
    kwb22 = nl.filter(pl.col("year") == 2022).row(0, named=True)
    under15 = y22.join(shares, on="gemeente_code")
    # 0-14 = 0-4 + 4-12 + the 12-14 part of 12-18; the 15-17 part comes from the 15-24 band
    assert under15.height == 342
    total_0_17 = y22.select(pl.sum_horizontal("0-4", "4-12", "12-18")).to_series().sum()
    assert 0.6 * kwb22["a_00_14"] < total_0_17 - 0.0 < kwb22["a_00_14"] + 0.4 * kwb22["a_15_24"]
    # Amsterdam 2022 = Amsterdam + Weesp on their own boundaries (KWB), split alike
    own = kwb.level(kwb.read(raw_dir / build.RAW_FILES["kwb"]), "gemeente").filter(
        (pl.col("year") == 2022) & pl.col("code").is_in(["GM0363", "GM0457"])
    )
    ams = y22.filter(pl.col("gemeente_code") == "GM0363").row(0, named=True)
    assert ams["0-4"] + ams["4-12"] == pytest.approx(
        own["a_00_14"].sum() * (1 - shares.filter(pl.col("gemeente_code") == "GM0363")["s1214"][0]),
        abs=2,
    )


def test_real_jeugdzorg_covers_the_country_and_adds_up(store, raw_dir):
    ind = store.indicators.filter(pl.col("indicator") == "jeugdzorg")
    assert not ind["is_simulated"].any()
    assert sorted(ind["year"].unique().to_list()) == [2021, 2022]
    total = ind.filter(pl.col("breakdown") == "all")
    assert total.height >= 680  # of 342 gemeenten × 2 years
    # Amsterdam 2022 = CBS Amsterdam + Weesp, per age group, exactly
    cbs = _odata(raw_dir).filter(pl.col("code").is_in(["GM0363", "GM0457"]))
    for breakdown, column in jeugdzorg.AGE_COLUMNS.items():
        got = ind.filter(
            (pl.col("gemeente_code") == "GM0363") & (pl.col("year") == 2022)
            & (pl.col("breakdown") == breakdown)
        )["numerator"][0]  # fmt: skip
        assert got == cbs[column].sum(), breakdown
    ams = total.filter((pl.col("gemeente_code") == "GM0363") & (pl.col("year") == 2022))
    assert ams["numerator"][0] == sum(cbs[c].sum() for c in jeugdzorg.AGE_COLUMNS.values())
    assert ams["source"][0] == "CBS 85335NED, 2022"
    # Voorne aan Zee 2022: Westvoorne's 0-4 count is suppressed; the parts with a count hold less
    # than 90% of the youths, so the row is no value, and says why (not "< 10": it is at least 60)
    vaz = ind.filter((pl.col("gemeente_code") == "GM1992") & (pl.col("year") == 2022))
    young = vaz.filter(pl.col("breakdown") == "age=0-4").row(0, named=True)
    assert young["coverage"] < 0.9 and young["numerator"] >= 60
    assert young["note"].startswith("geen waarde: Westvoorne onderdrukt (< 10)")
    assert (
        vaz.filter(pl.col("breakdown") == "age=4-12")["numerator"][0]
        == _odata(raw_dir)
        .filter(pl.col("code").is_in(["GM0501", "GM0530", "GM0614"]))["jz_4_12"]
        .sum()
    )


def test_suppressed_age_cells_make_an_estimated_total():
    rows = pl.DataFrame(
        {
            "jz_totaal": [100, 30, 10],
            "jz_0_4": [20, None, None],
            "jz_4_12": [40, 20, None],
            "jz_12_18": [30, 10, None],
            "jz_18_23": [10, None, None],
        },
        schema={c: pl.Int64 for c in ("jz_totaal", "jz_0_4", "jz_4_12", "jz_12_18", "jz_18_23")},
    )
    out = jeugdzorg.with_youth_total(rows)
    # exact; 0 left over; 10 over 4 cells → 2.5×3 = 7.5, rounded to 5 as CBS rounds → 10
    assert out["jz_0_18"].to_list() == [90, 30, 10]
    assert out["jz_0_18_estimated"].to_list() == [False, True, True]


def test_national_share_of_jeugdzorg_0_18_lies_near_cbs(two_builds):
    tables = {p.stem: pl.read_parquet(p) for p in two_builds[0].glob("*.parquet")}
    share = build.national_share(tables, 2022)
    assert 0.128 <= share <= 0.138
    nl = tables["national"].filter(
        (pl.col("indicator") == "jeugdzorg") & (pl.col("breakdown") == "all")
    )
    assert nl["numerator"].to_list() == [31040 + 221980 + 191520]  # CBS's NL row, 2022


def test_percentages_become_counts_with_the_cbs_denominator(store, raw_dir):
    """85098NED: count = percentage × denominator; the rate gives the percentage back."""
    pct = jeugdzorg.read_percentages(raw_dir / build.RAW_FILES["pct2022"])
    ind = store.indicators.filter(pl.col("year") == 2022)
    checks = {
        "jeugdhulp": "pct_jeugdhulp",
        "jeugdbescherming": "pct_jeugdbescherming",
        "jeugdreclassering": "pct_jeugdreclassering",
        "jeugdhulp_verblijf": "pct_verblijf",
    }
    for indicator, column in checks.items():
        rows = ind.filter((pl.col("indicator") == indicator) & (pl.col("breakdown") == "all"))
        assert rows.height > 150 and not rows["is_simulated"].any() and rows["is_estimate"].all()
        assert "85098NED" in rows["source"][0] and "percentage ×" in rows["source"][0]
        # 2024 gemeenten formed from several 2022 gemeenten add up their parts: compare the rest
        merged = cw.load_crosswalk().filter(pl.col("old_code").is_in(pct["code"].implode()))
        joined = rows.join(pct, left_on="gemeente_code", right_on="code").filter(
            ~pl.col("gemeente_code").is_in(merged["gm_code"].implode())
        )
        gap = (100 * joined["numerator"] / joined["denominator"] - joined[column]).abs()
        # the percentage has one decimal; the count is rounded to a whole child
        assert (gap <= 0.05 + 100 / joined["denominator"] + 1e-9).all(), indicator
    jr = ind.filter(pl.col("indicator") == "jeugdreclassering")
    assert "12-23" in jr["source"][0]


def test_gemeente_names_match_through_the_reviewed_table(tmp_path, raw_dir):
    names = statline.load_names()
    assert names["name"].is_unique().all()
    assert set(names["status"]) == {"gemeente", "former"}
    # Weesp existed in 2022: a former gemeente with a code, mapped through the crosswalk
    weesp = names.filter(pl.col("name") == "Weesp").row(0, named=True)
    assert weesp["status"] == "former" and weesp["code"] == "GM0457"
    src = (raw_dir / build.RAW_FILES["pct2022"]).read_text(encoding="utf-8-sig")
    bad = tmp_path / "85098NED.csv"
    bad.write_text(src.replace('"Aalten"', '"Atlantis"'), encoding="utf-8")
    with pytest.raises(
        statline.StatlineError, match=r"85098NED\.csv: column 'Regio's', row 5: .*Atlantis"
    ):
        jeugdzorg.read_percentages(bad)
    # a former gemeente without a known code may not carry figures
    bad.write_text(src.replace('"Aalten"', '"\'s-Graveland"'), encoding="utf-8")
    with pytest.raises(statline.StatlineError, match="former gemeente ..s-Graveland. has figures"):
        jeugdzorg.read_percentages(bad)


def test_statline_numbers_refuse_thousands_separators(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('\ufeff"Regio\'s";"Perioden";"A"\n"Aalten";"2022";1.234\n', encoding="utf-8")
    with pytest.raises(statline.StatlineError, match=r"column 'A', row 2: not a number '1.234'"):
        statline.numbers(statline.read_export(path), {"A": "a"}, path)


def test_kwb_2021_decimals_are_restored(raw_dir):
    """The 2021 KWB rows lost their decimal separator; after the fix the years agree."""
    rows = kwb.level(kwb.read(raw_dir / build.RAW_FILES["kwb"]), "gemeente")
    medians = dict(rows.group_by("year").agg(pl.col("g_hhgro").median()).iter_rows())
    assert medians[2021] == pytest.approx(medians[2022], rel=0.1)
    low = rows.filter(pl.col("year") == 2021)["p_hh_lkk"]
    assert 2 < low.median() < 15 and low.max() < 40


def test_no_series_mixes_real_and_simulated(store):
    mixed = (
        store.indicators.group_by("indicator", "breakdown")
        .agg(pl.col("is_simulated").n_unique().alias("kinds"))
        .filter(pl.col("kinds") > 1)
    )
    assert mixed.height == 0, mixed


def test_national_values_within_half_a_point_of_targets(store):
    targets = demo.target_table(demo.load_targets())
    nl = (
        store.indicators.filter(pl.col("is_simulated"))
        .group_by("indicator", "breakdown", "year")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .with_columns(rate=100 * pl.col("numerator") / pl.col("denominator"))
    )
    # speciaal onderwijs is real (DUO 2024); its targets only size the simulated pupils behind
    # jeugdzorg per onderwijssoort
    real = store.indicators.filter(~pl.col("is_simulated"))["indicator"].unique()
    targets = targets.filter(~pl.col("indicator").is_in(real.implode()))
    joined = targets.join(nl, on=["indicator", "breakdown", "year"], how="full", coalesce=True)
    assert joined["target"].null_count() == 0, "a simulated series has no documented target"
    assert joined["rate"].null_count() == 0, "a documented target has no simulated series"
    worst = joined.with_columns(diff=(pl.col("rate") - pl.col("target")).abs()).sort("diff").tail(1)
    assert worst["diff"][0] <= 0.5, worst


def test_targets_are_documented_in_data_readme(data_dir):
    readme = (data_dir / "README.md").read_text(encoding="utf-8")
    for row in demo.load_targets().iter_rows(named=True):
        assert f"| {row['indicator']} | {row['breakdown']} |" in readme, row


def test_rows_are_flagged_and_counts_consistent(store):
    ind = store.indicators
    assert ind.select((pl.col("numerator") <= pl.col("denominator")).all()).item()
    simulated = ind.filter(pl.col("is_simulated"))
    assert sorted(simulated["year"].unique().to_list()) == list(demo.YEARS)
    assert (simulated["source"] == demo.DEMO_SOURCE).all()
    real = ind.filter(~pl.col("is_simulated"))
    assert real["source"].str.contains("^(CBS|DUO) ").all()
    per_indicator = simulated.group_by("indicator").agg(pl.col("gemeente_code").n_unique())
    assert per_indicator["gemeente_code"].to_list() == [342] * per_indicator.height
    assert set(ind["indicator"]) == set(store.catalogue["indicator"])


def _wide(store, year: int) -> pl.DataFrame:
    rows = store.indicators.filter((pl.col("year") == year) & (pl.col("breakdown") == "all"))
    return rows.with_columns(rate=pl.col("numerator") / pl.col("denominator")).pivot(
        on="indicator", index="gemeente_code", values="rate"
    )


def test_simulation_follows_the_real_covariates(store):
    """Simulated armoede follows the real low-income share (r ≥ 0.7), simulated care follows
    real jeugdzorg, and small gemeenten are noisier."""
    context = store.context.filter(
        (pl.col("year") == 2021) & (pl.col("variable") == "pct_laag_inkomen")
    ).select("gemeente_code", pl.col("value").alias("low_income"))
    real_jz = _wide(store, 2022).select("gemeente_code", pl.col("jeugdzorg").alias("real_jz"))
    sim = _wide(store, 2022).select("gemeente_code", "armoede")
    zorgvorm = (
        store.indicators.filter(
            (pl.col("indicator") == "jeugdhulp_zorgvorm") & (pl.col("year") == 2022)
        )
        .group_by("gemeente_code")
        .agg((pl.col("numerator").sum() / pl.col("denominator").first()).alias("zorgvorm"))
    )
    joined = (
        sim.join(context, on="gemeente_code")
        .join(real_jz, on="gemeente_code")
        .join(zorgvorm, on="gemeente_code")
    )
    corr = joined.select(
        pl.corr("armoede", "low_income").alias("armoede"),
        pl.corr("zorgvorm", "real_jz").alias("care"),
    ).row(0, named=True)
    assert corr["armoede"] >= 0.7
    assert corr["care"] >= 0.5
    youth = (
        store.population.filter(
            (pl.col("year") == 2022) & pl.col("age_group").is_in(["0-4", "4-12", "12-18"])
        )
        .group_by("gemeente_code")
        .agg(pl.col("population").sum().alias("youth"))
    )
    changes = (
        store.indicators.filter((pl.col("indicator") == "armoede") & (pl.col("breakdown") == "all"))
        .sort("year")
        .group_by("gemeente_code")
        # second differences remove the (linear) national trend and local drift: what is left is noise
        .agg((pl.col("numerator") / pl.col("denominator")).diff().diff().abs().mean().alias("jump"))
        .join(youth, on="gemeente_code")
    )
    small = changes.filter(pl.col("youth") < changes["youth"].quantile(0.2))["jump"].mean()
    large = changes.filter(pl.col("youth") > changes["youth"].quantile(0.8))["jump"].mean()
    assert small > 2 * large


def test_context_holds_the_real_predictors(store):
    ctx = store.context
    have = set(ctx.select("year", "variable").unique().iter_rows())
    for variable in ("huishoudens_met_kinderen", "pct_laag_inkomen", "pct_sociaal_minimum",
                     "bijstand", "stedelijkheid", "oppervlakte_land_km2"):  # fmt: skip
        assert (2021, variable) in have, variable
    assert (2024, "inkomen_gestandaardiseerd") in have
    per = ctx.filter((pl.col("year") == 2021) & (pl.col("variable") == "pct_laag_inkomen"))
    assert per.height == 342 and per["value"].is_between(0, 100).all()
    urban = ctx.filter(pl.col("variable") == "stedelijkheid")["value"]
    assert set(urban.unique().to_list()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    # Amsterdam 2021 (with Weesp) is "zeer sterk stedelijk"
    ams = ctx.filter(
        (pl.col("gemeente_code") == "GM0363") & (pl.col("year") == 2021)
        & (pl.col("variable") == "stedelijkheid")
    )  # fmt: skip
    assert ams["value"][0] == 1.0 and ams["is_estimate"][0]


def test_maps_have_one_feature_per_region(store, data_dir):
    for level in ("gemeente", "swv_po", "swv_vo", "jeugdregio", "provincie"):
        topo = json.loads((data_dir / "geo" / f"{level}.topojson").read_text(encoding="utf-8"))
        ids = sorted(g["id"] for g in topo["objects"][level]["geometries"])
        codes = sorted(store.regions.filter(pl.col("type") == level)["code"].to_list())
        assert ids == codes, level
        used = {
            abs(r) if r >= 0 else ~r
            for g in topo["objects"][level]["geometries"]
            for poly in geo._polygons(g)
            for ring in poly
            for r in ring
        }
        assert used == set(range(len(topo["arcs"]))), f"{level}: unused arcs are carried"


def test_dissolved_swv_rings_are_closed_and_cover_members(data_dir, store):
    topo = json.loads((data_dir / "geo" / "swv_po.topojson").read_text(encoding="utf-8"))
    arcs = geo._quantized_arcs(topo)
    total = 0.0
    decoded = geo._decoded_arcs(topo)
    for g in topo["objects"]["swv_po"]["geometries"]:
        for poly in geo._polygons(g):
            for k, ring in enumerate(poly):
                pts = geo._ring_coords(ring, arcs)
                assert (pts[0] == pts[-1]).all()
                a = abs(geo._signed_area_km2(geo._ring_coords(ring, decoded)))
                total += a if k == 0 else -a
    gm = json.loads((data_dir / "geo" / "gemeente.topojson").read_text(encoding="utf-8"))
    gm_area = 0.0
    gm_dec = geo._decoded_arcs(gm)
    for g in gm["objects"]["gemeente"]["geometries"]:
        for poly in geo._polygons(g):
            for k, ring in enumerate(poly):
                a = abs(geo._signed_area_km2(geo._ring_coords(ring, gm_dec)))
                gm_area += a if k == 0 else -a
    assert abs(total - gm_area) / gm_area < 1e-6


def test_region_areas_are_weighted_sums_of_member_gemeente_areas(raw_dir, store):
    """area_km2: each gemeente measured from the raw 2024 map, every other region (and NL) the
    membership-weighted sum of its gemeenten, to 0.001 km²."""
    raw = geo.read_topology(raw_dir / build.RAW_FILES["gemeente"])
    measured = geo.features(raw, geo.LAYERS["gemeente"]).select("code", measured="area_km2")
    gm = store.regions.filter(pl.col("type") == "gemeente").join(measured, on="code")
    assert gm.height == 342
    assert (gm["area_km2"] - gm["measured"]).abs().max() <= 0.0005 + 1e-9
    expected = (
        store.membership.join(
            gm.select(pl.col("code").alias("gemeente_code"), "measured"), on="gemeente_code"
        )
        .group_by("region_code")
        .agg((pl.col("weight") * pl.col("measured")).sum().alias("expected"))
    )
    check = store.regions.join(expected, left_on="code", right_on="region_code", how="left")
    assert check["expected"].null_count() == 0 and store.regions["area_km2"].null_count() == 0
    assert (check["area_km2"] - check["expected"]).abs().max() < 0.002
    nl = check.filter(pl.col("type") == "nederland")["area_km2"][0]
    assert nl == pytest.approx(gm["measured"].sum(), abs=0.002)
    # every level tiles the country: its areas add up to NL's
    for level in ("swv_po", "swv_vo", "jeugdregio", "provincie"):
        total = check.filter(pl.col("type") == level)["area_km2"].sum()
        assert total == pytest.approx(nl, abs=0.01 * check.height), level


def test_failed_build_leaves_output_untouched(tmp_path, raw_dir, data_dir):
    out = tmp_path / "out"
    build.build(raw_dir, out)
    before = _files(out)
    broken = tmp_path / "raw"
    for rel in build.RAW_FILES.values():
        (broken / rel).parent.mkdir(parents=True, exist_ok=True)
        (broken / rel).write_bytes((raw_dir / rel).read_bytes())
    csv = broken / build.RAW_FILES["swv"]
    csv.write_text(
        csv.read_text(encoding="utf-8") + "9999,Atlantis,PO9999,VO9999\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="Atlantis"):
        build.build(broken, out)
    assert _files(out) == before
    assert not list(out.rglob("*.tmp"))


def test_write_failure_midway_leaves_no_partial_files(tmp_path, raw_dir):
    out = tmp_path / "out"
    build.build(raw_dir, out)
    before = _files(out)
    tables, maps = build.assemble(raw_dir)
    tables = {name: frame.head(3) for name, frame in tables.items()}  # would change every parquet
    maps = {**maps, "swv_vo": None}  # the last writer fails after the parquet temps are written
    with pytest.raises(TypeError):
        build.write_outputs(tables, maps, out)
    assert _files(out) == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
