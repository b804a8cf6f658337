"""Ventiles, nearest neighbours and the benchmark strip."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest

from jeugdmonitor.analysis import benchmark
from jeugdmonitor.analysis.indicators import level_values
from jeugdmonitor.analysis.stats import (
    count_labels,
    count_text,
    is_small,
    nearest,
    rounded,
    small,
    suppress,
    ventile_groups,
    ventile_means,
)
from jeugdmonitor.data.store import load
from jeugdmonitor.present.sections import benchmark_strip


@pytest.fixture(scope="module")
def store():
    return load()


def frame(values):
    return pl.DataFrame({"region_code": [f"R{i:03d}" for i in range(len(values))], "v": values})


@pytest.mark.parametrize("n", [20, 42, 76, 342, 1000])
def test_ventile_groups_are_ordered_and_near_equal(n):
    values = [((i * 7919) % n) / 3.0 for i in range(n)]  # a shuffled order
    grouped = ventile_groups(frame(values), "v").sort("v", "region_code")
    sizes = grouped.group_by("group").len()["len"]
    assert sizes.len() == 20
    assert sizes.max() - sizes.min() <= 1
    assert grouped["group"].is_sorted()  # lower values never in a higher group
    bars = ventile_means(frame(values), "v")
    assert bars.height == 20 and bars["mean"].is_sorted()
    assert bars["n_regions"].sum() == n


def test_ventiles_with_fewer_regions_than_groups_and_nulls():
    grouped = ventile_groups(frame([3.0, 1.0, None, 2.0]), "v")
    assert grouped.sort("region_code")["group"].to_list() == [3, 1, None, 2]


def test_nearest_excludes_itself_is_deterministic_and_correct():
    table = pl.DataFrame(
        {"code": ["a", "b", "c", "d", "e"], "x": [0.0, 1.0, 2.0, 2.0, 10.0], "k": [1.0] * 5}
    )
    got = nearest(table, "c", ["x", "k"], k=3)
    assert got["code"].to_list() == ["d", "b", "a"]  # ties by code; constant column ignored
    assert "c" not in got["code"].to_list()
    shuffled = nearest(table.reverse(), "c", ["x", "k"], k=3)
    assert shuffled.equals(got)
    with pytest.raises(KeyError, match="'zz' not found"):
        nearest(table, "zz", ["x"])


def test_count_text_suppresses_and_rounds():
    assert count_text(None) == "< 10"
    assert count_text(7) == "< 10"
    assert count_text(12) == "10"
    assert count_text(37703) == "37.705"


def test_one_suppression_rule_for_rows_expressions_and_labels():
    frame = pl.DataFrame(
        {
            "numerator": [9.6, 10.0, 12.0, 0.0, None, 25.0, 1234.0],
            "denominator": [40.0, 9.0, 80.0, 0.0, 50.0, None, 5000.0],
        }
    )
    expected = [is_small(n, d) for n, d in frame.iter_rows()]
    assert expected == [True, True, False, True, True, True, False]
    assert frame.select(small())["numerator"].to_list() == expected
    shown = suppress(frame).with_columns(label=count_labels("numerator"))
    assert shown["suppressed"].to_list() == expected
    assert shown["label"].to_list() == ["< 10", "< 10", "10", "< 10", "< 10", "< 10", "1.235"]


def test_rounded_counts_for_display():
    frame = pl.DataFrame({"n": [12.0, 37703.0, None, 17.4]})
    assert frame.select(rounded("n"))["n"].to_list() == [10, 37705, None, 15]


def test_comparable_gemeenten(store):
    peers = benchmark.comparable_gemeenten(store, "GM0363")
    assert peers.height == 10
    assert "GM0363" not in peers["code"].to_list()
    assert peers["distance"].is_sorted()
    assert peers["code"].n_unique() == 10
    assert list(benchmark.COMPARABLE_FEATURES) == peers.columns[3:]
    # the largest cities resemble Amsterdam most; a tiny island does not appear
    assert {"GM0518", "GM0599"} <= set(peers["code"].to_list())
    assert "GM0060" not in peers["code"].to_list()
    fresh = benchmark.comparable_gemeenten(store, "GM0363", k=5)
    assert fresh["code"].to_list() == peers["code"].to_list()[:5]
    with pytest.raises(ValueError, match="gemeenten only"):
        benchmark.comparable_gemeenten(store, "JZ01")


def context_wide(store, year):
    return store.context.filter(pl.col("year") == year).pivot(
        on="variable", index="gemeente_code", values="value"
    )


def test_comparable_gemeenten_recomputed_independently(store):
    """The distance recomputed in numpy straight from the context and population tables: size,
    urbanity, the mean z-score of the three vulnerability shares, households with children."""
    c21, c22 = context_wide(store, 2021), context_wide(store, 2022)
    youths = (
        store.population.filter(
            pl.col("year") == 2022, pl.col("age_group").is_in(["0-4", "4-12", "12-18"])
        )
        .group_by("gemeente_code")
        .agg(pl.col("population").sum().alias("youths"))
    )
    table = (
        c21.select(
            "gemeente_code",
            "pct_laag_inkomen",
            "pct_sociaal_minimum",
            (1000 * pl.col("bijstand") / pl.col("inwoners")).alias("bijstand"),
        )
        .join(
            c22.select(
                "gemeente_code",
                pl.col("adressendichtheid").log().alias("urban"),
                (pl.col("huishoudens_met_kinderen") / pl.col("huishoudens")).alias("kids"),
            ),
            on="gemeente_code",
        )
        .join(youths, on="gemeente_code")
        .sort("gemeente_code")
    )

    def z(values):
        values = np.asarray(values, dtype=float)
        return (values - values.mean()) / values.std(ddof=1)

    vulnerable = (z(table["pct_laag_inkomen"]) + z(table["pct_sociaal_minimum"])
                  + z(table["bijstand"])) / 3  # fmt: skip
    features = np.column_stack(
        [z(np.log(table["youths"])), z(table["urban"]), z(vulnerable), z(table["kids"])]
    )
    codes = table["gemeente_code"].to_list()
    for code in ("GM1900", "GM0344", "GM0088"):
        i = codes.index(code)
        distance = np.sqrt(((features - features[i]) ** 2).sum(axis=1))
        order = [codes[j] for j in np.lexsort((codes, distance)) if j != i][:10]
        peers = benchmark.comparable_gemeenten(store, code)
        assert peers["code"].to_list() == order, code
        assert np.allclose(peers["distance"], np.sort(distance)[1:11])


def test_comparable_gemeenten_are_plausible(store):
    """The issue's complaint: Lelystad was a peer of Súdwest-Fryslân. On real features the peers
    of a large rural gemeente are large rural gemeenten, of Utrecht other large cities (none of
    the other G4) and of Schiermonnikoog the other Wadden islands."""
    inwoners = dict(context_wide(store, 2022).select("gemeente_code", "inwoners").iter_rows())
    urbanity = dict(context_wide(store, 2022).select("gemeente_code", "stedelijkheid").iter_rows())
    swf = benchmark.comparable_gemeenten(store, "GM1900")["code"].to_list()
    assert "GM0995" not in swf  # Lelystad
    assert all(40_000 <= inwoners[c] <= 160_000 for c in swf)
    assert all(urbanity[c] >= 2 for c in swf)  # none very strongly urban
    utrecht = benchmark.comparable_gemeenten(store, "GM0344")["code"].to_list()
    assert all(inwoners[c] >= 100_000 for c in utrecht)
    assert not {"GM0363", "GM0599", "GM0518"} & set(utrecht)
    islands = {"GM0096", "GM0093", "GM0060", "GM0448"}  # Vlieland, Terschelling, Ameland, Texel
    schier = benchmark.comparable_gemeenten(store, "GM0088")["code"].to_list()
    assert islands <= set(schier[:7])
    assert all(inwoners[c] < 30_000 for c in schier)


def test_benchmark_rows_hold_every_comparison(store):
    rows = benchmark.benchmark_rows(store, "GM0363", "jeugdzorg")
    kinds = rows["kind"].to_list()
    assert kinds.count("peer") == 10 and kinds.count("gemeente") == 1
    assert {"peers", "jeugdregio", "provincie", "nederland", "previous"} <= set(kinds)
    assert rows.filter(pl.col("kind") == "previous")["year"].to_list() == [2021]  # real years only
    nl = level_values(store, "jeugdzorg", "nederland").filter(
        pl.col("year") == 2022, pl.col("breakdown") == "all"
    )
    assert rows.filter(pl.col("kind") == "nederland")["rate"][0] == pytest.approx(nl["rate"][0])
    peers = rows.filter(pl.col("kind") == "peer")
    pooled = rows.filter(pl.col("kind") == "peers").row(0, named=True)
    assert pooled["numerator"] == peers["numerator"].sum()  # summed counts, not mean of rates


def test_benchmark_suppresses_small_counts(store):
    rows = benchmark.benchmark_rows(store, "GM0060", "jeugdhulp_zorgvorm", "zorgvorm=jeugdzorgplus")
    small = rows.filter(pl.col("suppressed"))
    assert small.height > 0
    assert small["numerator"].is_null().all() and small["rate"].is_null().all()
    assert small["count_label"].to_list() == ["< 10"] * small.height
    shown = rows.filter(~pl.col("suppressed"))
    assert (shown["numerator"] >= 10).all()


def test_benchmark_figure(store):
    fig = benchmark_strip.benchmark_figure(store, "GM0363", "armoede")
    spec = fig.chart.to_dict()
    assert "Amsterdam" in spec["description"]
    assert fig.table.height == 19
    # the strip refers to "Wat valt op", which names the comparable gemeenten and why once
    assert "10 vergelijkbare gemeenten ([welke en waarom](#wat_valt_op))" in fig.explanation
    why = benchmark_strip.computed_peers_text(store, "GM0363")
    assert "liggen het dichtst bij Amsterdam op omvang" in why
    assert all(n in why for n in benchmark.comparable_gemeenten(store, "GM0363")["name"])
    assert fig.simulated and "gesimuleerd" in fig.source
    # the download is the strip itself, in the Dutch columns of every other download
    data = fig.download
    assert data is not None and data.height == 19
    assert data.columns[:5] == ["vergelijking", "regiocode", "regio", "indicator", "jaar"]
    assert not {"region_code", "name", "year"} & set(data.columns)
    peers = benchmark.comparable_gemeenten(store, "GM0363")
    compared = data.filter(pl.col("afstand").is_not_null())
    assert compared["regiocode"].to_list()[0] == "GM0363" and compared["afstand"][0] == 0
    assert dict(zip(compared["regiocode"][1:], compared["afstand"][1:], strict=True)) == {
        code: round(d, 3) for code, d in zip(peers["code"], peers["distance"], strict=True)
    }
    counts = data["aantal"].drop_nulls()
    assert (counts >= 10).all() and (counts % 5 == 0).all() and data["gesimuleerd"].all()
    assert fig.download_name == "vergelijking_armoede_all_GM0363_2024.csv"


def test_benchmark_figure_credits_real_figures(store):
    """With real (imported) figures the strip is not flagged simulated and names their source."""
    real = dataclasses.replace(
        store,
        indicators=store.indicators.with_columns(
            is_simulated=pl.lit(False), source=pl.lit("CBS StatLine (test)")
        ),
        _cache={},
    )
    fig = benchmark_strip.benchmark_figure(real, "GM0363", "armoede")
    assert not fig.simulated and "gesimuleerd" not in fig.source
    assert "CBS StatLine (test)" in fig.source
    assert not fig.download["gesimuleerd"].any()


def test_pool_is_hidden_when_exactly_one_peer_is(store):
    """Pool minus the peers shown must not give a suppressed peer's count back."""

    def peer(num, den, suppressed):
        # exact count and denominator, the strip's columns, the count's bounds (exact: itself)
        return (num, den, None, None, None, None, None, suppressed, "", True, "bron", False, None,
                num, num)  # fmt: skip

    shown = [peer(400.0, 4000.0, False), peer(300.0, 3000.0, False)]
    one_hidden = [*shown, peer(6.0, 90.0, True)]
    two_hidden = [*one_hidden, peer(4.0, 70.0, True)]
    assert benchmark._pooled(shown)[5] is False
    pooled = benchmark._pooled(one_hidden)
    assert pooled[5] is True and pooled[0] is None and pooled[2] is None
    assert benchmark._pooled(two_hidden)[5] is False  # only their sum (10, not small) is derivable
    small_sum = [*one_hidden, peer(3.0, 60.0, True)]
    assert benchmark._pooled(small_sum)[5] is True  # 6 + 3 = 9 would be a small count
