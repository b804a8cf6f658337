"""Pupils in speciaal onderwijs (sbo, so, vso) by gemeente and region of **residence**: an estimate
with a margin, from the two DUO files (`sources.duo`). The method, in short (data/README.md has it
in full):

1. Each school location's pupils of 2024/25 = its known cells (5 or more) plus its `<5` cells
   (each 1-4). File 2 gives the location's total of 2023/24; taken as the best guess of the
   2024/25 total, kept within what file 1 allows: the `<5` cells share S = total - known, with
   n ≤ S ≤ 4n for n such cells. A location without a total gets the national mean per `<5`
   cell of its soort.
2. S is shared over the location's `<5` cells by how often the cell's postcode occurs at that
   location: a postcode with pupils at many ages is likely to have more than one pupil per age.
   Each cell is a Poisson count seen to lie in 1-4 (its intensity from the share of the
   location's ages the postcode has); one factor per location scales the intensities so the
   cells add up to S exactly.
3. The margin of a group of cells (a gemeente's sbo pupils, say) covers: how S could be divided
   otherwise (the Poisson model's variance, the location's total held fixed), the change of a
   location's total between the two school years (its spread measured on basisscholen, where
   file 1 nearly fixes the 2024/25 total), and the plain alternative of sharing S equally. It is
   ±1.96 standard deviations around both estimates, and never outside file 1's own bounds
   (known + 1 to 4 per `<5` cell).

Everything is deterministic: per-cell values are rounded to 1e-9 and summed as integers.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

Z = 1.959963984540054
NANO = 1_000_000_000  # per-cell estimates and variances are summed as integers of 1e-9
SOORTEN = ("bo", "sbo", "so", "vso")
SPECIAL = ("sbo", "so", "vso")
AGES_4_17 = (4, 17)  # the monitor's youths of school age: 4-11 (po) and 12-17 (vo)
LOW, HIGH = 1, 4  # a `<5` cell holds 1 to 4 pupils
# the year change of a location's total when no basisschool can measure it (never in the bundled
# data, where it is 6.9%)
YEAR_SD_DEFAULT = 0.1


def _truncated_poisson(mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of a Poisson(mu) count known to lie in 1..4."""
    terms = np.stack([mu**k / math.factorial(k) for k in range(LOW, HIGH + 1)])
    k = np.arange(LOW, HIGH + 1, dtype=float)[:, None]
    total = terms.sum(axis=0)
    mean = (terms * k).sum(axis=0) / total
    return mean, np.maximum((terms * k**2).sum(axis=0) / total - mean**2, 0.0)


def location_totals(cells: pl.DataFrame, locations: pl.DataFrame) -> pl.DataFrame:
    """Per school location: known pupils, `<5` cells, the file-2 total, and S (the pupils in its
    `<5` cells) with its standard deviation from the year change.

    Returns location, known, n, total, share (S), share_sd, and the calibration constants
    (year_sd, per-soort mean per `<5` cell) as columns `year_sd`.
    """
    per = cells.group_by("location").agg(
        pl.col("count").fill_null(0).sum().alias("known"),
        pl.col("suppressed").sum().cast(pl.Int64).alias("n"),
        pl.col("soort").unique().sort().str.join(",").alias("soorten"),
        *(
            pl.col("suppressed").filter(pl.col("soort") == s).sum().cast(pl.Int64).alias(f"n_{s}")
            for s in SOORTEN
        ),
    )
    per = per.join(locations.select("location", "total"), on="location", how="left")
    fitted = per.filter(pl.col("total").is_not_null() & (pl.col("n") > 0)).with_columns(
        S=(pl.col("total") - pl.col("known")).clip(pl.col("n"), HIGH * pl.col("n"))
    )
    # mean and spread per `<5` cell, per soort, from locations of one soort with a total
    mean, spread = {}, {}
    for s in SOORTEN:
        one = fitted.filter(pl.col("soorten") == s).sort("location")
        n, S = one["n"].to_numpy().astype(float), one["S"].to_numpy().astype(float)
        if not n.size:  # no location of this soort has a total: the middle of 1-4
            mean[s], spread[s] = (LOW + HIGH) / 2, (HIGH - LOW) / (2 * Z)
            continue
        mean[s] = round(math.fsum(S) / math.fsum(n), 6)
        spread[s] = round(math.sqrt(math.fsum(n * (S / n - mean[s]) ** 2) / math.fsum(n)), 6)
    # the year change of a location's total, measured on basisscholen: file 1 fixes their
    # 2024/25 total to within a few pupils (most cells are known), so total 2023/24 against it
    bo = fitted.filter(pl.col("soorten") == "bo").sort("location")
    change = (bo["total"] / (bo["known"] + mean["bo"] * bo["n"]) - 1).to_numpy()
    q1, q3 = (
        np.quantile(change, [0.25, 0.75]) if change.size >= 4 else (0.0, YEAR_SD_DEFAULT * 1.349)
    )
    year_sd = round(float(q3 - q1) / 1.349, 4)  # robust standard deviation (IQR / 1.349)
    guess = pl.sum_horizontal(pl.col(f"n_{s}") * mean[s] for s in SOORTEN)
    guess_sd = pl.sum_horizontal(pl.col(f"n_{s}") * spread[s] for s in SOORTEN)
    has_total = pl.col("total").is_not_null()
    return per.select(
        "location",
        "known",
        "n",
        "total",
        pl.when(has_total)
        .then((pl.col("total") - pl.col("known")).clip(pl.col("n"), HIGH * pl.col("n")))
        .otherwise(guess)
        .cast(pl.Float64)
        .alias("S"),
        pl.when(has_total).then(year_sd * pl.col("total")).otherwise(guess_sd).alias("S_sd"),
        pl.lit(year_sd).alias("year_sd"),
    ).sort("location")


def allocate(cells: pl.DataFrame, totals: pl.DataFrame) -> pl.DataFrame:
    """Every cell with its estimate: known cells as they are, `<5` cells sharing their location's
    S by Poisson intensity (`estimate`) and equally (`equal`), each in 1-4, with `variance`.

    Adds columns estimate_n, equal_n, variance_n (integers of 1e-9) and the location's S_sd.
    """
    ages = cells.group_by("location", "soort").agg(pl.col("age").n_unique().alias("m"))
    rows = (
        cells.group_by("location", "soort", "pc4")
        .agg(pl.len().alias("p"))
        .join(ages, on=["location", "soort"])
        .with_columns(
            lam=-(1 - (pl.col("p") / pl.col("m")).clip(upper_bound=1 - 0.5 / pl.col("m"))).log()
        )
    )
    frame = (
        cells.join(rows.select("location", "soort", "pc4", "lam"), on=["location", "soort", "pc4"])
        .join(totals.select("location", "n", "S", "S_sd"), on="location")
        .sort("location", "soort", "pc4", "age")
    )
    hidden = frame.filter(pl.col("suppressed"))
    lam = hidden["lam"].to_numpy()
    codes, index = np.unique(hidden["location"].to_numpy(), return_inverse=True)
    target = hidden.group_by("location").agg(pl.col("S").first()).sort("location")["S"].to_numpy()
    lo, hi = np.full(len(codes), -30.0), np.full(len(codes), 30.0)
    for _ in range(70):  # one intensity factor per location: the cells add up to S
        mid = (lo + hi) / 2
        got = np.bincount(index, _truncated_poisson(np.exp(mid[index]) * lam)[0], len(codes))
        lo, hi = np.where(got < target, mid, lo), np.where(got < target, hi, mid)
    mean, var = _truncated_poisson(np.exp(((lo + hi) / 2)[index]) * lam)
    # exact total: the excess over 1 per cell rescaled to S - n (a factor within rounding of 1)
    excess = np.bincount(index, mean - LOW, len(codes))
    want = target - np.bincount(index, np.ones_like(mean), len(codes))
    scale = np.divide(want, excess, out=np.zeros_like(want), where=excess > 0)
    estimate = np.clip(LOW + (mean - LOW) * scale[index], LOW, HIGH)
    nano = pl.Series(np.round(estimate * NANO).astype(np.int64))
    hidden = hidden.with_columns(
        estimate_n=nano, variance_n=pl.Series(np.round(var * NANO).astype(np.int64))
    )
    known = pl.col("count").fill_null(0) * NANO
    return frame.join(
        hidden.select("location", "soort", "pc4", "age", "estimate_n", "variance_n"),
        on=["location", "soort", "pc4", "age"],
        how="left",
    ).select(
        pl.exclude("lam", "n", "estimate_n", "variance_n"),
        pl.when(pl.col("suppressed"))
        .then(pl.col("estimate_n"))
        .otherwise(known)
        .alias("estimate_n"),
        pl.when(pl.col("suppressed"))
        .then((pl.col("S") / pl.col("n") * NANO).round(0).cast(pl.Int64))
        .otherwise(known)
        .alias("equal_n"),
        pl.col("variance_n").fill_null(0),
    )


def estimate_cells(cells: pl.DataFrame, locations: pl.DataFrame) -> pl.DataFrame:
    """`allocate` after `location_totals`: every cell of file 1 with its estimate."""
    return allocate(cells, location_totals(cells, locations))


def group(alloc: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Pupils per group of cells (e.g. gemeente_code and soort): estimate, margin and bounds.

    Columns: *by, known, n (`<5` cells), estimate, equal, low, high (the margin, within the
    hard bounds), hard_low, hard_high (known + 1 resp. 4 per `<5` cell).
    """
    per_location = (
        alloc.group_by(*by, "location")
        .agg(
            pl.col("count").fill_null(0).sum().alias("known"),
            pl.col("suppressed").sum().cast(pl.Int64).alias("n"),
            pl.col("estimate_n").sum(),
            pl.col("equal_n").sum(),
            pl.col("variance_n").sum(),
            pl.col("S").first(),
            pl.col("S_sd").first(),
        )
        .join(
            alloc.group_by("location").agg(pl.col("variance_n").sum().alias("location_var")),
            on="location",
        )
        .with_columns(
            # the location's S is fixed: a group of its cells varies the less, the more of the
            # location it holds; the year change moves the group with its share of S
            var=(
                pl.col("variance_n")
                / NANO
                * (1 - pl.col("variance_n") / pl.col("location_var")).fill_nan(0).fill_null(0)
                + ((pl.col("estimate_n") / NANO - pl.col("known")) / pl.col("S") * pl.col("S_sd"))
                .fill_nan(0)
                .fill_null(0)
                ** 2
            ),
        )
        .with_columns((pl.col("var") * 1e6).round(0).cast(pl.Int64).alias("var_u"))
    )
    grouped = per_location.group_by(by).agg(
        pl.col("known", "n", "estimate_n", "equal_n", "var_u").sum()
    )
    sd = (pl.col("var_u") / 1e6).sqrt()
    est, equal = pl.col("estimate_n") / NANO, pl.col("equal_n") / NANO
    hard_low, hard_high = pl.col("known") + LOW * pl.col("n"), pl.col("known") + HIGH * pl.col("n")
    return grouped.select(
        *by,
        "known",
        "n",
        est.alias("estimate"),
        equal.alias("equal"),
        pl.max_horizontal(pl.min_horizontal(est, equal) - Z * sd, hard_low).alias("low"),
        pl.min_horizontal(pl.max_horizontal(est, equal) + Z * sd, hard_high).alias("high"),
        hard_low.alias("hard_low"),
        hard_high.alias("hard_high"),
    ).sort(by)


# ------------------------------------------------------------------- indicator rows (build)

INDICATOR = "speciaal_onderwijs"
YEAR = 2024  # peildatum 1 October 2024 (school year 2024/25)
SOURCE = (
    "DUO 2024 (1 oktober), schatting: leerlingen van 4-17 jaar in sbo, so en vso naar woongemeente "
    "(cellen <5 verdeeld met de totalen per vestiging 2023/24), ÷ geschat aantal 4-17-jarigen"
)
SOURCE_SWV = SOURCE.replace(
    "naar woongemeente", "naar woonpostcode (regio-indeling passend onderwijs)"
)
YOUTH_GROUPS = ("4-12", "12-18")  # population age groups of the 4-17 year olds


def _rows(estimates: pl.DataFrame, key: str, youth: pl.DataFrame, source: str) -> pl.DataFrame:
    """Indicator rows (all + per type) from `group` output by [key, soort] and [key]; every unit
    of `youth` gets every breakdown (0 where file 1 has none of its pupils)."""
    breakdowns = pl.DataFrame({"soort": [None, *SPECIAL]}, schema={"soort": pl.String})
    parts = (
        youth.join(breakdowns, how="cross")
        .join(estimates, on=[key, "soort"], how="left", nulls_equal=True)
        .with_columns(pl.col("estimate", "low", "high").fill_null(0.0))
        .with_columns(
            breakdown=pl.when(pl.col("soort").is_null())
            .then(pl.lit("all"))
            .otherwise(pl.lit("type=") + pl.col("soort"))
        )
    )
    return parts.select(
        pl.lit(INDICATOR).alias("indicator"),
        key,
        pl.lit(YEAR, pl.Int32).alias("year"),
        "breakdown",
        pl.col("estimate").round(0).cast(pl.Int64).alias("numerator"),
        pl.col("denominator"),
        pl.col("low").floor().cast(pl.Int64).alias("numerator_low"),
        pl.min_horizontal(pl.col("high").ceil(), pl.col("denominator"))
        .cast(pl.Int64)
        .alias("numerator_high"),
        pl.lit(source).alias("source"),
        pl.lit(False).alias("is_simulated"),
        pl.lit(True).alias("is_estimate"),
    )


def _by_type_and_all(alloc: pl.DataFrame, key: str) -> pl.DataFrame:
    special = alloc.filter(pl.col("soort").is_in(SPECIAL))
    return pl.concat(
        [group(special, [key, "soort"]), group(special, [key]).with_columns(soort=pl.lit(None))],
        how="diagonal_relaxed",
    )


def speciaal_onderwijs(
    alloc: pl.DataFrame,
    population: pl.DataFrame,
    membership: pl.DataFrame,
    pc4_swv: pl.DataFrame,
    incomplete: list[str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Indicator rows per gemeente of residence, and region rows (the `regional` table).

    `alloc` is `estimate_cells` with the pupil's `gemeente_code` (null abroad or unknown);
    `incomplete` are gemeenten whose own schools are missing from file 1 (Ridderkerk): their
    residents are left out everywhere, numerator and denominator. The denominator is the
    estimated number of 4-17 year olds (population 2024); a samenwerkingsverband gets the
    youths of each member gemeente in proportion to its pupils (all soorts, 4-17) living in the
    SWV's postcodes, so numerator and denominator follow the same postcodes.
    """
    youth = (
        population.filter(
            (pl.col("year") == YEAR)
            & pl.col("age_group").is_in(YOUTH_GROUPS)
            & ~pl.col("gemeente_code").is_in(incomplete)
        )
        .group_by("gemeente_code")
        .agg(pl.col("population").sum().alias("denominator"))
    )
    pupils = alloc.filter(
        pl.col("gemeente_code").is_not_null()
        & ~pl.col("gemeente_code").is_in(incomplete)
        & pl.col("age").is_between(*AGES_4_17)
    )
    gemeente = _rows(_by_type_and_all(pupils, "gemeente_code"), "gemeente_code", youth, SOURCE)

    # jeugdregio, provincie, NL: whole gemeenten (weight 1)
    whole = membership.filter(~pl.col("region_code").str.contains(r"^(PO|VO)"))
    parents = pupils.join(whole.select("gemeente_code", "region_code"), on="gemeente_code")
    parent_youth = (
        youth.join(whole, on="gemeente_code")
        .group_by("region_code")
        .agg(pl.col("denominator").sum())
    )
    regional = [
        _rows(_by_type_and_all(parents, "region_code"), "region_code", parent_youth, SOURCE)
    ]

    # samenwerkingsverbanden po and vo: by the pupil's postcode
    for kind in ("po", "vo"):
        fallback = (
            membership.filter(pl.col("region_code").str.starts_with(kind.upper()))
            .sort("gemeente_code", "weight", "region_code", descending=[False, True, False])
            .unique("gemeente_code", keep="first")
        )
        placed = (
            pupils.join(
                pc4_swv.select("pc4", pl.col(f"{kind}_swv").alias("swv")), on="pc4", how="left"
            )
            .join(
                fallback.select("gemeente_code", pl.col("region_code").alias("home")),
                on="gemeente_code",
            )
            .with_columns(region_code=pl.coalesce("swv", "home"))
        )
        share = (
            placed.group_by("gemeente_code", "region_code")
            .agg(pl.col("estimate_n").sum().alias("part"))
            .with_columns(part=pl.col("part") / pl.col("part").sum().over("gemeente_code"))
            .join(youth, on="gemeente_code")
            .group_by("region_code")
            .agg(
                (pl.col("part") * pl.col("denominator"))
                .sort()
                .sum()
                .round(0)
                .cast(pl.Int64)
                .alias("denominator")
            )
        )
        regional.append(
            _rows(_by_type_and_all(placed, "region_code"), "region_code", share, SOURCE_SWV)
        )
    return gemeente.sort("gemeente_code", "breakdown"), pl.concat(regional).sort(
        "region_code", "breakdown"
    )
