"""Benchmarks for a gemeente (seed 004 "Bepaal de benchmark", F14/B3): comparable gemeenten and the strip.

Comparable gemeenten are the k nearest gemeenten on five standardised features (equal weight,
Euclidean distance): size (ln youths 0-17), urbanity (ln youths per km²), and the risk profile
(armoede, eenoudergezin, achterstandsleerlingen). The benchmark strip puts a gemeente's value of
any indicator next to those peers (each, and pooled by summing counts), its jeugdregio, its
provincie, Nederland and its own earlier years — every value with its Wilson interval.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor import model
from jeugdmonitor.indicators import latest_year, level_values
from jeugdmonitor.regions import parents
from jeugdmonitor.stats import (
    count_text,
    nearest,
    suppress,
    with_rate_ci,
)
from jeugdmonitor.store import Store

DEFAULT_K = 10
COMPARABLE_FEATURES: dict[str, str] = {
    "omvang": "Omvang (ln aantal jeugdigen 0-17)",
    "stedelijkheid": "Stedelijkheid (ln jeugdigen per km²)",
    "armoede": "Kinderen in armoede (%)",
    "eenoudergezin": "Kinderen in eenoudergezinnen (%)",
    "achterstandsleerlingen": "Achterstandsleerlingen po (%)",
}
FEATURES_TEXT = "omvang, stedelijkheid, armoede, eenoudergezinnen en achterstandsleerlingen"
KIND_ORDER = {
    "gemeente": 0,
    "peer": 1,
    "peers": 2,
    "jeugdregio": 3,
    "provincie": 4,
    "nederland": 5,
    "previous": 6,
}


def _require_gemeente(store: Store, code: str) -> dict[str, str]:
    region = store.region_index.get(code)
    if region is None:
        raise KeyError(f"unknown region code {code!r}")
    if region["type"] != "gemeente":
        raise ValueError(
            f"{code} is a {region['type']}; comparable regions exist for gemeenten only"
        )
    return region


def comparable_gemeenten(
    store: Store, code: str, k: int = DEFAULT_K, year: int | None = None
) -> pl.DataFrame:
    """The k gemeenten most like `code` on COMPARABLE_FEATURES (code, name, distance, features)."""
    _require_gemeente(store, code)
    year = model.model_year(store, year)

    def compute() -> pl.DataFrame:
        table = (
            model.background(store, year)
            .with_columns(omvang=pl.col("youths").log())
            .rename({"gemeente_code": "code"})
        )
        peers = nearest(table, code, list(COMPARABLE_FEATURES), k=k, id_col="code")
        return peers.join(table.select("code", "name"), on="code", maintain_order="left").select(
            "code", "name", "distance", *COMPARABLE_FEATURES
        )

    return store.cached(("comparable", code, k, year), compute)


def benchmark_rows(
    store: Store,
    code: str,
    indicator: str,
    breakdown: str = "all",
    year: int | None = None,
    k: int = DEFAULT_K,
) -> pl.DataFrame:
    """The strip's rows, suppressed: the gemeente, each peer, peers pooled, jeugdregio, provincie,
    NL, earlier years. Columns: row, order, kind, region_code, name, year, numerator, denominator,
    rate, ci_low, ci_high, suppressed, count_label."""
    region = _require_gemeente(store, code)
    year = latest_year(store, indicator) if year is None else year
    peers = comparable_gemeenten(store, code, k)

    def values(region_type: str) -> pl.DataFrame:
        return level_values(store, indicator, region_type).filter(pl.col("breakdown") == breakdown)

    gm = values("gemeente")
    cols = ["region_code", "year", "numerator", "denominator"]
    this_year = gm.filter(pl.col("year") == year)
    peer_rows = this_year.filter(pl.col("region_code").is_in(peers["code"].implode()))
    pooled = peer_rows.select(
        pl.lit(f"{k}_peers").alias("region_code"),
        pl.lit(year, dtype=pl.Int32).alias("year"),
        pl.col("numerator").sum(),
        pl.col("denominator").sum(),
    )
    up = parents(store, code)
    name = region["display_name"]
    parts = [
        this_year.filter(pl.col("region_code") == code)
        .select(cols)
        .with_columns(kind=pl.lit("gemeente"), row=pl.lit(f"{name} {year}")),
        peer_rows.select(cols).with_columns(
            kind=pl.lit("peer"), row=pl.lit(f"{k} vergelijkbare gemeenten")
        ),
        pooled.with_columns(kind=pl.lit("peers"), row=pl.lit("Vergelijkbare gemeenten samen")),
    ]
    for kind in ("jeugdregio", "provincie", "nederland"):
        parent = up.get(kind)
        if parent is None:
            continue
        label = store.region_index[parent]["display_name"]
        parts.append(
            values(kind)
            .filter(pl.col("region_code") == parent, pl.col("year") == year)
            .select(cols)
            .with_columns(kind=pl.lit(kind), row=pl.lit(label))
        )
    parts.append(
        gm.filter(pl.col("region_code") == code, pl.col("year") < year)
        .sort("year", descending=True)
        .select(cols)
        .with_columns(kind=pl.lit("previous"), row=pl.lit(name) + " " + pl.col("year").cast(str))
    )
    names = {c: r["display_name"] for c, r in store.region_index.items()}
    names[f"{k}_peers"] = f"{k} vergelijkbare gemeenten samen"
    rows = (
        pl.concat(
            [p.with_columns(pl.col("numerator", "denominator").cast(pl.Float64)) for p in parts]
        )
        .with_columns(
            name=pl.col("region_code").replace_strict(names, default=None),
            order=pl.col("kind").replace_strict(KIND_ORDER, return_dtype=pl.Int32) * 100
            + pl.when(pl.col("kind") == "previous")
            .then(year - pl.col("year"))
            .otherwise(0)
            .cast(pl.Int32),
        )
        .pipe(with_rate_ci)
        .pipe(suppress)
        .with_columns(
            count_label=pl.col("numerator").map_elements(count_text, return_dtype=pl.String)
        )
    )
    return rows.sort("order", "name").select(
        "row",
        "order",
        "kind",
        "region_code",
        "name",
        "year",
        "numerator",
        "denominator",
        "rate",
        "ci_low",
        "ci_high",
        "suppressed",
        "count_label",
    )
