"""Benchmarks for a gemeente (NJi tip "Bepaal de benchmark"): comparable gemeenten and the strip.

Comparable gemeenten are the k nearest gemeenten on four standardised features of real CBS figures
(equal weight, Euclidean distance; `COMPARABLE_FEATURES`):
- size: ln youths 0-17 (the scale a gemeente organises its youth care on);
- urbanity: ln address density (KWB 2022 `ste_oad`, the measure behind CBS's stedelijkheid);
- financial vulnerability: the mean of the standardised shares of households with a low income
  and around the social minimum and of bijstand per 1,000 inhabitants (KWB 2021). The three are
  near copies of each other (r = 0.95-0.99): as three separate features they would count poverty
  three times and push size and urbanity aside;
- households with children as % of all households (KWB 2022): family structure.
The age structure is left out: its differences between gemeenten are small, and as a fifth
feature it made small Rotterdam suburbs (Schiedam, Vlaardingen) peers of Utrecht. Income (2024)
is left out because CBS publishes none for three small gemeenten, which would then have no peers.
The benchmark strip puts a gemeente's value of any indicator next to those peers (each, and
pooled by summing counts), its jeugdregio, its provincie, Nederland and its own earlier years —
every value with its Wilson interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from jeugdmonitor.analysis import model
from jeugdmonitor.analysis.indicators import latest_year, level_values, years
from jeugdmonitor.analysis.stats import (
    MIN_COUNT,
    count_labels,
    count_text,
    is_small,
    nearest,
    suppress,
    wilson_interval,
    with_rate_ci,
)
from jeugdmonitor.data.store import Store

DEFAULT_K = 10
COMPARABLE_FEATURES: dict[str, str] = {
    "omvang": "Omvang (ln aantal jeugdigen 0-17)",
    "stedelijkheid": "Stedelijkheid (ln adressen per km²)",
    "kwetsbaarheid": "Financiële kwetsbaarheid (gemiddelde z-score)",
    "huishoudens_met_kinderen": "Huishoudens met kinderen (%)",
}
VULNERABILITY = ("laag_inkomen", "sociaal_minimum", "bijstand")  # averaged into `kwetsbaarheid`
FEATURES_TEXT = (
    "omvang (aantal jeugdigen), stedelijkheid, financiële kwetsbaarheid (huishoudens met een laag "
    "inkomen of rond het sociaal minimum en bijstand samen) en het aandeel huishoudens met kinderen"
)
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
    """Per gemeente: code, name, the COMPARABLE_FEATURES and the three raw VULNERABILITY shares
    (region-independent, cached)."""
    year = model.model_year(store, year)

    def z(column: str) -> pl.Expr:
        return (pl.col(column) - pl.col(column).mean()) / pl.col(column).std()

    return store.cached(
        ("comparable_features", year),
        lambda: (
            model.background(store, year)
            .with_columns(
                omvang=pl.col("youths").log(),
                kwetsbaarheid=pl.mean_horizontal(z(c) for c in VULNERABILITY),
            )
            .select(
                pl.col("gemeente_code").alias("code"),
                "name",
                *COMPARABLE_FEATURES,
                *VULNERABILITY,
            )
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


RANGE_LABEL = "alleen bereik"  # count label of an estimate shown as its interval only
# the share of the estimate its bounds may span before it is shown as a range (sections.common)
RANGE_LIMIT = 0.5
STRIP_COLUMNS = {  # the strip's value columns (after kind, region_code, row, name, year)
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "rate": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "suppressed": pl.Boolean,
    "count_label": pl.String,
    "is_simulated": pl.Boolean,
    "source": pl.String,
    "is_estimate": pl.Boolean,
    "coverage_note": pl.String,
}


def strip_values(store: Store, indicator: str, breakdown: str) -> dict[tuple[str, int], tuple]:
    """(region code, year) → (exact numerator, exact denominator, *STRIP_COLUMNS values, shown
    and suppressed, then the numerator's exact low and high bound) of one indicator breakdown for
    every gemeente, jeugdregio, provincie and NL.

    Computed once per process: a strip then only looks its rows up.
    """

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
                "is_estimate",
                "coverage_note",
                pl.col("numerator_low", "numerator_high").cast(pl.Float64),
                "published_rate",  # the percentage as CBS published it, as everywhere else
                "rounding",
            )
            for level in STRIP_LEVELS
        )
        # exact counts (and an estimate's bounds) are kept for pooling the peers
        shown = suppress(
            with_rate_ci(values, published=True).with_columns(
                exact_numerator=pl.col("numerator"),
                exact_denominator=pl.col("denominator"),
                exact_low=pl.coalesce("numerator_low", "numerator"),
                exact_high=pl.coalesce("numerator_high", "numerator"),
            )
        ).with_columns(count_label=count_labels("numerator"))
        # an estimate too uncertain for one number shows its interval only (as everywhere)
        wide = (
            (pl.col("numerator_high") - pl.col("numerator_low")) > RANGE_LIMIT * pl.col("numerator")
        ).fill_null(False)
        shown = shown.with_columns(
            rate=pl.when(wide).then(None).otherwise(pl.col("rate")),
            count_label=pl.when(wide).then(pl.lit(RANGE_LABEL)).otherwise(pl.col("count_label")),
        )
        columns = [
            "region_code",
            "year",
            "exact_numerator",
            "exact_denominator",
            *STRIP_COLUMNS,
            "exact_low",
            "exact_high",
        ]
        return {(r[0], r[1]): r[2:] for r in shown.select(columns).iter_rows()}

    return store.cached(("strip_values", indicator, breakdown), compute)


def _pooled(found: list[tuple]) -> tuple:
    """Values of several regions together, from their `strip_values` tuples:
    counts summed, never rates averaged; Wilson interval and suppression as everywhere."""
    found = [r for r in found if r[0] is not None and r[1] is not None]  # peers with a value
    num, den = sum(r[0] for r in found), sum(r[1] for r in found)
    # an estimate's bounds add up too (r[-2:] are the exact low and high counts)
    low = wilson_interval(sum(r[-2] for r in found), den)[0]
    high = wilson_interval(sum(r[-1] for r in found), den)[1]
    # complementary suppression: the pool minus the peers shown gives the hidden peers' total
    # (r[7] = suppressed), so hide the pool when that is one peer's count or a small count itself
    hidden = [r[0] for r in found if r[7]]
    small = is_small(num, den) or len(hidden) == 1 or 0 < sum(hidden) < MIN_COUNT
    sources = sorted({part for r in found for part in (r[10] or "").split("; ") if part})
    return (
        None if small else num,
        den if den >= MIN_COUNT else None,
        None if small or not den > 0 else num / den,
        None if small else low,
        None if small else high,
        small,
        count_text(None if small else num),
        any(r[9] for r in found),
        "; ".join(sources),
        any(r[11] for r in found),
        None,
    )


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


def peer_set(
    store: Store, code: str, k: int = DEFAULT_K, chosen: Sequence[str] = ()
) -> tuple[list[str], bool]:
    """The gemeenten a gemeente is compared with, and whether the user chose them: the user's
    own (`chosen`, the gemeente itself left out) or else its k computed comparable gemeenten."""
    own = [c for c in dict.fromkeys(chosen) if c != code]
    if own:
        return own, True
    return comparable_gemeenten(store, code, k)["code"].to_list(), False


def peer_label(n: int, chosen: bool) -> str:
    """How the strip and the texts name the peers: '10 vergelijkbare gemeenten' or '3 gekozen
    gemeenten' (one: 'gekozen gemeente')."""
    noun = "gemeente" if n == 1 else "gemeenten"
    return f"{n} {'gekozen' if chosen else 'vergelijkbare'} {noun}"


def pooled_value(
    store: Store, indicator: str, breakdown: str, year: int, codes: Sequence[str]
) -> tuple | None:
    """Gemeenten together (counts summed; hidden like the strip's pool): (numerator,
    denominator, rate, ci_low, ci_high, suppressed, count_label, is_simulated, source,
    is_estimate, None, n_with_value). None when no gemeente has a value."""
    values = strip_values(store, indicator, breakdown)
    found = [values[c, year] for c in codes if (c, year) in values]
    found = [r for r in found if r[0] is not None and r[1] is not None]
    return (*_pooled(found), len(found)) if found else None


def benchmark_rows(
    store: Store,
    code: str,
    indicator: str,
    breakdown: str = "all",
    year: int | None = None,
    k: int = DEFAULT_K,
    peers: Sequence[str] = (),
) -> pl.DataFrame:
    """The strip's rows, suppressed: the gemeente, each peer, peers pooled, jeugdregio, provincie,
    NL, earlier years. Columns: row, order, kind, region_code, name, year, numerator, denominator,
    rate, ci_low, ci_high, suppressed, count_label, is_simulated, source.

    `peers` are the user's own comparison gemeenten (`Choices.compare`); empty: the k computed
    comparable gemeenten.

    Assembled from per-process lookups (a strip is drawn for several indicators per gemeente and
    for every gemeente in the batch report), so only the final ~20 rows go through polars.
    """
    region = _require_gemeente(store, code)
    year = latest_year(store, indicator) if year is None else year
    values = strip_values(store, indicator, breakdown)
    name = region["display_name"]
    codes, own = peer_set(store, code, k, peers)
    peer_codes = sorted(codes, key=lambda c: store.region_index[c]["name"])
    label = peer_label(len(peer_codes), own)
    up = _parents(store, code)
    # (kind, region code, row label, name, year), in display order
    wanted = [
        ("gemeente", code, f"{name} {year}", name, year),
        *(("peer", c, label, store.region_index[c]["display_name"], year) for c in peer_codes),
        *(
            (kind, up[kind], *[store.region_index[up[kind]]["display_name"]] * 2, year)
            for kind in STRIP_LEVELS[1:]
            if kind in up
        ),
        *(
            ("previous", code, f"{name} {y}", name, y)
            for y in sorted(years(store, indicator), reverse=True)
            if y < year
        ),
    ]
    shown = slice(2, 2 + len(STRIP_COLUMNS))  # the strip's columns of a `strip_values` tuple
    rows = [(*w, *values[w[1], w[4]][shown]) for w in wanted if (w[1], w[4]) in values]
    found = [values[c, year] for c in peer_codes if (c, year) in values]
    together = "Gekozen gemeenten samen" if own else "Vergelijkbare gemeenten samen"
    pooled = ("peers", f"{len(peer_codes)}_peers", together)
    place = sum(r[0] in ("gemeente", "peer") for r in rows)
    rows.insert(place, (*pooled, f"{label} samen", year, *_pooled(found)))
    return pl.DataFrame(
        [(r[2], r[3], r[0], r[1], *r[4:], KIND_ORDER[r[0]] * 100 + year - r[4]) for r in rows],
        schema={
            "row": pl.String,
            "name": pl.String,
            "kind": pl.String,
            "region_code": pl.String,
            "year": pl.Int32,
            **STRIP_COLUMNS,
            "order": pl.Int32,
        },
        orient="row",
    ).select(
        "row",
        "order",
        "kind",
        "region_code",
        "name",
        "year",
        *STRIP_COLUMNS,
    )
