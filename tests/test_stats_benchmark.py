"""Ventiles, nearest neighbours and the benchmark strip."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from jeugdmonitor import benchmark
from jeugdmonitor.indicators import level_values
from jeugdmonitor.sections import benchmark_strip
from jeugdmonitor.stats import (
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
from jeugdmonitor.store import load


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
    assert "Vergelijkbaar betekent" in fig.explanation
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
        return (num, den, None, None, None, None, None, suppressed, "", True, "bron", False, None)

    shown = [peer(400.0, 4000.0, False), peer(300.0, 3000.0, False)]
    one_hidden = [*shown, peer(6.0, 90.0, True)]
    two_hidden = [*one_hidden, peer(4.0, 70.0, True)]
    assert benchmark._pooled(shown)[5] is False
    pooled = benchmark._pooled(one_hidden)
    assert pooled[5] is True and pooled[0] is None and pooled[2] is None
    assert benchmark._pooled(two_hidden)[5] is False  # only their sum (10, not small) is derivable
    small_sum = [*one_hidden, peer(3.0, 60.0, True)]
    assert benchmark._pooled(small_sum)[5] is True  # 6 + 3 = 9 would be a small count
