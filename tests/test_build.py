"""The build: deterministic, complete geography, correct membership, calibrated simulation."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor import build, demo
from jeugdmonitor.sources import crosswalk as cw
from jeugdmonitor.sources import geo, population, swv


@pytest.fixture(scope="module")
def two_builds(raw_dir: Path, tmp_path_factory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    build.build(raw_dir, a)
    build.build(raw_dir, b)
    return a, b


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in {".parquet", ".topojson"}
    }


def test_two_builds_are_byte_identical(two_builds):
    a, b = two_builds
    fa, fb = _files(a), _files(b)
    assert len(fa) == 11
    assert fa.keys() == fb.keys()
    different = [name for name in fa if fa[name] != fb[name]]
    assert different == []


def test_bundled_data_is_what_the_build_makes(two_builds, data_dir):
    """data/ in the repo must be regenerated whenever the code or reference files change."""
    built, bundled = _files(two_builds[0]), _files(data_dir)
    assert built.keys() == bundled.keys()
    stale = [name for name in built if built[name] != bundled[name]]
    assert stale == [], "run `jeugdmonitor build --sources ../shared/data/raw --out data`"


def test_region_counts(store):
    counts = dict(store.regions.group_by("type").len().iter_rows())
    assert counts == {
        "gemeente": 342,
        "provincie": 12,
        "jeugdregio": 42,
        "swv_po": 76,
        "swv_vo": 74,
        "nederland": 1,
    }


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
    pop = population.read_population(raw_dir / "population/mzelst_municipalities-population.csv")
    by_code = cw.resolve_codes(pop["old_code"], feats, xw)
    assert set(by_code["old_code"]) == set(pop["old_code"])
    assert set(resolved["gm_code"]) | set(by_code["gm_code"]) <= set(names)


def test_crosswalk_rejects_unknown_names(raw_dir):
    feats = geo.features(
        geo.read_topology(raw_dir / "cartomap/gemeente_2024.topojson"), "gemeente_2024"
    )
    with pytest.raises(ValueError, match="Atlantis"):
        cw.resolve_names(pl.Series(["Atlantis", "Amsterdam"]), feats, cw.load_crosswalk())


def test_population_maps_to_2024_and_is_flagged_estimate(store, raw_dir):
    raw = population.read_population(raw_dir / "population/mzelst_municipalities-population.csv")
    youth_total = store.population["population"].sum()
    expected = raw["population"].sum() * sum(population.AGE_SHARES.values())
    assert abs(youth_total - expected) / expected < 1e-4  # only rounding per gemeente
    assert store.population["is_estimate"].all()
    assert store.population["gemeente_code"].n_unique() == 342
    # Eemsdelta (2021 merger) is the sum of its three predecessors.
    eemsdelta = raw.filter(pl.col("old_code").is_in(["GM0003", "GM0010", "GM0024"]))[
        "population"
    ].sum()
    got = store.population.filter(pl.col("gemeente_code") == "GM1979")["population"].sum()
    assert abs(got - eemsdelta * sum(population.AGE_SHARES.values())) < 3


def test_national_values_within_half_a_point_of_targets(store):
    targets = demo.target_table(demo.load_targets())
    nl = (
        store.indicators.group_by("indicator", "breakdown", "year")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .with_columns(rate=100 * pl.col("numerator") / pl.col("denominator"))
    )
    joined = targets.join(nl, on=["indicator", "breakdown", "year"], how="full", coalesce=True)
    assert joined["target"].null_count() == 0, "a simulated series has no documented target"
    assert joined["rate"].null_count() == 0, "a documented target has no simulated series"
    worst = joined.with_columns(diff=(pl.col("rate") - pl.col("target")).abs()).sort("diff").tail(1)
    assert worst["diff"][0] <= 0.5, worst


def test_targets_are_documented_in_data_readme(data_dir):
    readme = (data_dir / "README.md").read_text(encoding="utf-8")
    for row in demo.load_targets().iter_rows(named=True):
        assert f"| {row['indicator']} | {row['breakdown']} |" in readme, row


def test_every_row_is_flagged_simulated_with_counts(store):
    ind = store.indicators
    assert ind["is_simulated"].all()
    assert ind.select((pl.col("numerator") <= pl.col("denominator")).all()).item()
    assert sorted(ind["year"].unique().to_list()) == [2020, 2021, 2022, 2023, 2024]
    per_indicator = ind.group_by("indicator").agg(pl.col("gemeente_code").n_unique())
    assert per_indicator["gemeente_code"].to_list() == [342] * per_indicator.height
    assert set(ind["indicator"]) == set(store.catalogue["indicator"])


def test_simulation_has_realistic_structure(store):
    """Risk factors correlate, care use follows risk, and small gemeenten are noisier."""
    y = store.indicators.filter((pl.col("year") == 2024) & (pl.col("breakdown") == "all"))
    wide = (
        y.with_columns(rate=pl.col("numerator") / pl.col("denominator"))
        .pivot(on="indicator", index="gemeente_code", values="rate")
        .join(
            store.population.group_by("gemeente_code").agg(
                pl.col("population").sum().alias("youth")
            ),
            on="gemeente_code",
        )
    )
    corr = wide.select(
        pl.corr("armoede", "eenoudergezin").alias("risk"),
        pl.corr("armoede", "jeugdbescherming").alias("care"),
    ).row(0, named=True)
    assert corr["risk"] > 0.3
    assert corr["care"] > 0.3
    changes = (
        store.indicators.filter(
            (pl.col("indicator") == "jeugdhulp") & (pl.col("breakdown") == "all")
        )
        .sort("year")
        .group_by("gemeente_code")
        # second differences remove the (linear) national trend and local drift: what is left is noise
        .agg((pl.col("numerator") / pl.col("denominator")).diff().diff().abs().mean().alias("jump"))
        .join(wide.select("gemeente_code", "youth"), on="gemeente_code")
    )
    small = changes.filter(pl.col("youth") < changes["youth"].quantile(0.2))["jump"].mean()
    large = changes.filter(pl.col("youth") > changes["youth"].quantile(0.8))["jump"].mean()
    assert small > 2 * large


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
