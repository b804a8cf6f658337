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
STRIP_LEVELS = ("gemeente", "jeugdregio", "provincie", "nederland")
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


def comparable_features(store: Store, year: int | None = None) -> pl.DataFrame:
    """Per gemeente: code, name and the raw COMPARABLE_FEATURES (region-independent, cached)."""
    year = model.model_year(store, year)
    return store.cached(
        ("comparable_features", year),
        lambda: (
            model.background(store, year)
            .with_columns(omvang=pl.col("youths").log())
            .select(pl.col("gemeente_code").alias("code"), "name", *COMPARABLE_FEATURES)
        ),
    )


def comparable_gemeenten(
    store: Store, code: str, k: int = DEFAULT_K, year: int | None = None
) -> pl.DataFrame:
    """The k gemeenten most like `code` on COMPARABLE_FEATURES (code, name, distance, features)."""
    _require_gemeente(store, code)
    year = model.model_year(store, year)

    def compute() -> pl.DataFrame:
        table = comparable_features(store, year)
        peers = nearest(table, code, list(COMPARABLE_FEATURES), k=k, id_col="code")
        return peers.join(table.select("code", "name"), on="code", maintain_order="left").select(
            "code", "name", "distance", *COMPARABLE_FEATURES
        )

    return store.cached(("comparable", code, k, year), compute)


def strip_values(store: Store, indicator: str, breakdown: str) -> dict[tuple[str, int], tuple]:
    """(region code, year) → exact (numerator, denominator, is_simulated, source) of one indicator
    breakdown, for every gemeente, jeugdregio, provincie and NL; built once per process."""

    def compute() -> dict[tuple[str, int], tuple]:
        values = pl.concat(
            level_values(store, indicator, level)
            .filter(pl.col("breakdown") == breakdown)
            .select(
                "region_code",
                "year",
                pl.col("numerator", "denominator").cast(pl.Float64),
                "is_simulated",
                "source",
            )
            for level in STRIP_LEVELS
        )
        return {(r[0], r[1]): r[2:] for r in values.iter_rows()}

    return store.cached(("strip_values", indicator, breakdown), compute)


def _parents(store: Store, code: str) -> dict[str, str]:
    """Jeugdregio, provincie and NL of a gemeente, from an index built once per process."""
    index = store.cached(
        "strip_parents",
        lambda: {
            gm: dict(zip(types, codes, strict=True))
            for gm, types, codes in store.membership.join(
                store.regions.select(pl.col("code").alias("region_code"), "type"),
                on="region_code",
            )
            .filter(pl.col("type").is_in(STRIP_LEVELS[1:]))
            .group_by("gemeente_code")
            .agg("type", "region_code")
            .iter_rows()
        },
    )
    return index.get(code, {})


def _pooled(found: list[tuple]) -> tuple:
    """Counts of several regions together: summed (never averaged), simulated if any is."""
    sources = sorted({part for r in found for part in r[3].split("; ")})
    return (
        sum(r[0] for r in found),
        sum(r[1] for r in found),
        any(r[2] for r in found),
        "; ".join(sources),
    )


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
    rate, ci_low, ci_high, suppressed, count_label, is_simulated, source.

    Assembled from per-process lookups (a strip is drawn for several indicators per gemeente and
    for every gemeente in the batch report), so only the final ~20 rows go through polars.
    """
    region = _require_gemeente(store, code)
    year = latest_year(store, indicator) if year is None else year
    peers = comparable_gemeenten(store, code, k)
    values = strip_values(store, indicator, breakdown)
    name = region["display_name"]
    peer_codes = [c for _, c in sorted(zip(peers["name"], peers["code"], strict=True))]
    up = _parents(store, code)
    found = [values[c, year] for c in peer_codes if (c, year) in values]
    # (kind, region code, row label, name, year, *counts), in display order
    rows = [
        ("gemeente", code, f"{name} {year}", name, year),
        *(
            ("peer", c, f"{k} vergelijkbare gemeenten", store.region_index[c]["display_name"], year)
            for c in peer_codes
        ),
        *(
            (kind, up[kind], *[store.region_index[up[kind]]["display_name"]] * 2, year)
            for kind in STRIP_LEVELS[1:]
            if kind in up
        ),
        *(
            ("previous", code, f"{name} {y}", name, y)
            for y in sorted((y for c, y in values if c == code and y < year), reverse=True)
        ),
    ]
    rows = [(*r, *values[r[1], r[4]]) for r in rows if (r[1], r[4]) in values]
    place = sum(r[0] in ("gemeente", "peer") for r in rows)
    pooled_name = f"{k} vergelijkbare gemeenten samen"
    rows.insert(
        place,
        (
            "peers",
            f"{k}_peers",
            "Vergelijkbare gemeenten samen",
            pooled_name,
            year,
            *_pooled(found),
        ),
    )
    frame = pl.DataFrame(
        rows,
        schema={
            "kind": pl.String,
            "region_code": pl.String,
            "row": pl.String,
            "name": pl.String,
            "year": pl.Int32,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "is_simulated": pl.Boolean,
            "source": pl.String,
        },
        orient="row",
    )
    order = pl.col("kind").replace_strict(KIND_ORDER, return_dtype=pl.Int32) * 100 + (
        pl.when(pl.col("kind") == "previous").then(year - pl.col("year")).otherwise(0)
    ).cast(pl.Int32)
    return suppress(with_rate_ci(frame.with_columns(order=order))).select(
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
        pl.col("numerator").map_elements(count_text, return_dtype=pl.String).alias("count_label"),
        "is_simulated",
        "source",
    )
