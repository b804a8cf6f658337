"""Youth population per 2024 gemeente, age group and year (an estimate built from real parts).

No bundled CBS file counts the age groups the monitor uses (0-3, 4-11, 12-17 and 18-22 years, written
'0-4', '4-12', '12-18', '18-23'). What is real:
- KWB 2019, 2021 and 2022: inhabitants aged 0-14 and 15-24 per gemeente (1 January, own boundaries);
- CBS 70072NED, 1 January 2025: five-year age bands per 2024 gemeente (<5, 5-10, 10-15, 15-20, 20-25).
Method (documented in data/README.md): each gemeente's 2025 bands say how its 0-14 and 15-24 year
olds spread over the age groups (`band_shares`); those shares split the KWB totals of 2019, 2021
and 2022 (mapped to 2024 gemeenten through the crosswalk). The 15-17 year olds are taken from the
younger cohort (10-14), which students do not inflate, and lowered where CBS's own 2022 figures
allow fewer youths (`bounded_shares`: jeugdhulp is part of jeugdzorg). 2025 uses the bands
themselves; 2020 is the mean of 2019 and 2021; 2023 and 2024 lie on the line from 2022 to 2025.
Every row is `is_estimate = true`.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl

from jeugdmonitor.data.sources import statline
from jeugdmonitor.data.sources.crosswalk import resolve_codes

AGE_GROUPS = ("0-4", "4-12", "12-18", "18-23")
YOUTH = ("0-4", "4-12", "12-18")  # the 0-18 year olds: the denominator of most indicators
YEARS = tuple(range(2020, 2026))
BAND_COLUMNS = {
    "Bevolking/Bevolkingssamenstelling op 1 januari/Totale bevolking (aantal)": "total",
    "Bevolking/Bevolkingssamenstelling op 1 januari/Leeftijd/Leeftijdsgroepen/Jonger dan 5 jaar (aantal)": "b00",
    "Bevolking/Bevolkingssamenstelling op 1 januari/Leeftijd/Leeftijdsgroepen/5 tot 10 jaar (aantal)": "b05",
    "Bevolking/Bevolkingssamenstelling op 1 januari/Leeftijd/Leeftijdsgroepen/10 tot 15 jaar (aantal)": "b10",
    "Bevolking/Bevolkingssamenstelling op 1 januari/Leeftijd/Leeftijdsgroepen/15 tot 20 jaar (aantal)": "b15",
    "Bevolking/Bevolkingssamenstelling op 1 januari/Leeftijd/Leeftijdsgroepen/20 tot 25 jaar (aantal)": "b20",
    "Bevolking/Particuliere huishoudens/Particuliere huishoudens/Totaal particuliere huishoudens (aantal)": "households",
    "Bevolking/Particuliere huishoudens/Particuliere huishoudens/Meerpersoonshuishoudens met kinderen (aantal)": "households_with_children",
}
BANDS_YEAR = 2025
KWB2019_COLUMNS = {"unique_id": "old_code", "population": "a_inw", "b_00_14": "a_00_14",
                   "b_15_24": "a_15_24"}  # fmt: skip
SOURCE_SPLIT = (
    "Schatting: CBS Kerncijfers wijken en buurten {year} (0-14 en 15-24 jaar), verdeeld over "
    "leeftijden met CBS 70072NED 2025 (5-jaarsgroepen)"
)
SOURCE_BANDS = "Schatting: CBS 70072NED 1 januari 2025 (5-jaarsgroepen, gelijk verdeeld per jaar)"
SOURCE_INTERPOLATED = "Schatting: lineair geïnterpoleerd tussen {a} en {b}"


def read_bands(path: Path, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame) -> pl.DataFrame:
    """70072NED 2025 per 2024 gemeente: total, five-year bands b00…b20, households (counts)."""
    frame = statline.read_export(path)
    parsed = statline.numbers(frame, BAND_COLUMNS, path)
    rows = statline.gemeente_rows(parsed, list(BAND_COLUMNS.values()), path)
    return _to_2024(
        rows.rename({"own_code": "old_code"}), list(BAND_COLUMNS.values()), gemeenten, crosswalk
    )


def read_kwb2019(path: Path) -> pl.DataFrame:
    """KWB 2019 per gemeente (2019 boundaries): old_code, a_inw, a_00_14, a_15_24."""
    frame = pl.read_csv(path, infer_schema_length=0)
    missing = [c for c in KWB2019_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: column '{missing[0]}', row 1: column is missing")
    out = frame.select(
        pl.col("unique_id").str.strip_chars().alias("old_code"),
        *(pl.col(c).cast(pl.Float64).alias(n) for c, n in KWB2019_COLUMNS.items() if n != "old_code"),
    )  # fmt: skip
    return out.with_columns(year=pl.lit(2019, pl.Int32))


def _to_2024(
    frame: pl.DataFrame, columns: list[str], gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Counts on old boundaries (`old_code`) summed to 2024 gemeenten (× crosswalk share)."""
    resolved = resolve_codes(frame["old_code"], gemeenten, crosswalk)
    keys = ["gm_code", "year"] if "year" in frame.columns else ["gm_code"]
    return (
        frame.join(resolved, on="old_code")
        .group_by(keys)
        .agg((pl.col(c) * pl.col("share")).sort().sum() for c in columns)
        .sort(keys)
        .rename({"gm_code": "gemeente_code"})
    )


def kwb_totals(kwb_gemeenten: pl.DataFrame, kwb2019: pl.DataFrame) -> pl.DataFrame:
    """Inhabitants 0-14 and 15-24 per gemeente on its own boundaries: 2019, 2021 and 2022."""
    recent = kwb_gemeenten.select(
        pl.col("code").alias("old_code"), "year", "a_inw", "a_00_14", "a_15_24"
    )
    return pl.concat([kwb2019.select(recent.columns), recent]).sort("year", "old_code")


# age group → its part of the 0-14 year olds, from the 2025 bands (b00, b05, b10), each band spread
# evenly over its five years: 0-3 is 4/5 of b00, 4-11 is 1/5 of b00 + b05 + 2/5 of b10, 12-14 is
# 3/5 of b10
AGES_0_14 = {"0-4": (0.8, 0.0, 0.0), "4-12": (0.2, 1.0, 0.4), "12-18": (0.0, 0.0, 0.6)}
BOUND_MARGIN = 2.0  # youths: the bound still holds after rounding three age groups to whole youths
SOURCE_BOUND = "; 15-17-jarigen begrensd door CBS 85335NED en 85098NED 2022"


def cohort_ratio(bands: pl.DataFrame) -> float:
    """Nederland's 15-19 year olds per 10-14 year old in the 2025 bands (about 1.08).

    Students moving between gemeenten cancel out nationally, so this is how much larger the older
    teenage cohorts are than the younger ones; what a gemeente has above it is students.
    """
    return math.fsum(bands["b15"].to_list()) / math.fsum(bands["b10"].to_list())


def band_shares(bands: pl.DataFrame) -> pl.DataFrame:
    """Per 2024 gemeente: how its 0-14 and 15-24 year olds spread over the age groups.

    `young_<age>`: the age group's part of the 0-14 year olds (AGES_0_14). `s1517`: the part of the
    15-24 year olds aged 15-17, i.e. 3/5 of b15, but at most 3/5 × `cohort_ratio` × b10: the 15-17
    year olds follow the 10-14 year olds, which students do not inflate (Maastricht's b15 is 1.88 ×
    its b10, the median gemeente's 1.05 ×). `s1522`: the part aged 15-22 (b15 and 3/5 of b20), so
    the 18-22 year olds are what the 15-17 year olds leave of it.
    """
    k = cohort_ratio(bands)
    b00, b05, b10, b15, b20 = (pl.col(c) for c in ("b00", "b05", "b10", "b15", "b20"))
    young, older = b00 + b05 + b10, b15 + b20
    return bands.select(
        "gemeente_code",
        *(
            ((a * b00 + b * b05 + c * b10) / young).alias(f"young_{age}")
            for age, (a, b, c) in AGES_0_14.items()
        ),
        (0.6 * pl.min_horizontal(b15, k * b10) / older).alias("s1517"),
        ((b15 + 0.6 * b20) / older).alias("s1522"),
        pl.lit(False).alias("bounded"),
    )


def bounded_shares(
    shares: pl.DataFrame,
    kwb_2022: pl.DataFrame,
    bounds: pl.DataFrame,
    gemeenten: pl.DataFrame,
    crosswalk: pl.DataFrame,
) -> pl.DataFrame:
    """`band_shares` with `s1517` lowered where CBS's own 2022 figures allow fewer youths.

    CBS counts the youths with jeugdhulp (85098NED, a percentage of the youths 0-17) among the
    youths with jeugdzorg (85335NED, a count), so a gemeente's youths 0-17 are at most
    jeugdzorg ÷ jeugdhulp share. `kwb_2022` has old_code, a_00_14, a_15_24 (own boundaries);
    `bounds` has old_code, jeugdzorg (clients 0-17) and pct_jeugdhulp. Each part of a 2024
    gemeente gives a largest 15-17 share (its 0-14 year olds are all youths); the smallest of those
    and the cohort share is kept, and `bounded` says whether the bound decided.
    """
    resolved = resolve_codes(kwb_2022["old_code"], gemeenten, crosswalk)
    limit = (
        kwb_2022.join(resolved, on="old_code")
        .join(bounds, on="old_code")
        .filter((pl.col("pct_jeugdhulp") > 0) & (pl.col("a_15_24") > 0))
        .group_by(pl.col("gm_code").alias("gemeente_code"))
        .agg(
            (
                (
                    pl.col("jeugdzorg") * 100 / pl.col("pct_jeugdhulp") / pl.col("share")
                    - BOUND_MARGIN
                    - pl.col("a_00_14")
                )
                / pl.col("a_15_24")
            )
            .min()
            .alias("limit")
        )
    )
    joined = shares.join(limit, on="gemeente_code", how="left")
    binds = (pl.col("limit") < pl.col("s1517")).fill_null(False)
    return joined.with_columns(
        pl.when(binds).then(pl.col("limit").clip(0.0)).otherwise(pl.col("s1517")).alias("s1517"),
        binds.alias("bounded"),
    ).drop("limit")


def _split(parts: pl.DataFrame) -> pl.DataFrame:
    """Long rows per age group from `old_code`, `gm_code`, `share`, `year`, the 0-14 and 15-24
    counts (`a_00_14`, `a_15_24`) and the gemeente's `band_shares`."""
    young, older = pl.col("a_00_14"), pl.col("a_15_24")
    counts = {
        "0-4": young * pl.col("young_0-4"),
        "4-12": young * pl.col("young_4-12"),
        "12-18": young * pl.col("young_12-18") + older * pl.col("s1517"),
        "18-23": older * (pl.col("s1522") - pl.col("s1517")),
    }
    return pl.concat(
        parts.select(
            "old_code",
            pl.col("gm_code").alias("gemeente_code"),
            pl.col("year").cast(pl.Int32),
            pl.lit(age).alias("age_group"),
            (pl.col("share") * count).alias("population"),
            "bounded",
        )
        for age, count in counts.items()
    ).sort("year", "old_code", "gemeente_code", "age_group")


def split_ages(
    kwb: pl.DataFrame, shares: pl.DataFrame, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Population per (old_code, gemeente_code, year, age_group) for the KWB years.

    A gemeente on old boundaries is first divided over its 2024 successors (crosswalk share; 1 for
    all but Haaren), then each part is split with its successor's `band_shares`. Summing over
    `old_code` gives 2024 gemeenten; over `gemeente_code` the gemeente of its own year.
    """
    resolved = resolve_codes(kwb["old_code"], gemeenten, crosswalk)
    return _split(
        kwb.join(resolved, on="old_code").join(shares, left_on="gm_code", right_on="gemeente_code")
    )


def split_bands(bands: pl.DataFrame, shares: pl.DataFrame) -> pl.DataFrame:
    """The BANDS_YEAR population per gemeente and age group, the bands split like the KWB years."""
    return _split(
        bands.join(shares, on="gemeente_code").select(
            pl.col("gemeente_code").alias("old_code"),
            pl.col("gemeente_code").alias("gm_code"),
            pl.lit(1.0).alias("share"),
            pl.lit(BANDS_YEAR).alias("year"),
            (pl.col("b00") + pl.col("b05") + pl.col("b10")).alias("a_00_14"),
            (pl.col("b15") + pl.col("b20")).alias("a_15_24"),
            pl.col("^young_.*$", "s1517", "s1522", "bounded"),
        )
    )


def youth_population(split: pl.DataFrame, banded: pl.DataFrame) -> pl.DataFrame:
    """Population per 2024 gemeente × year × age group (YEARS), all `is_estimate`, with the method.

    `split` is `split_ages` (2019, 2021, 2022) and `banded` is `split_bands` (2025); 2020, 2023 and
    2024 are interpolated. A gemeente whose 15-17 share the 2022 bound lowered says so in `source`.
    """
    bound = pl.when(pl.col("bounded")).then(pl.lit(SOURCE_BOUND)).otherwise(pl.lit(""))
    measured = (
        pl.concat([split, banded])
        .group_by("gemeente_code", "year", "age_group")
        .agg(pl.col("population").sort().sum(), pl.col("bounded").any())
        .with_columns(
            source=pl.when(pl.col("year") == BANDS_YEAR)
            .then(pl.lit(SOURCE_BANDS))
            .otherwise(pl.format(SOURCE_SPLIT.replace("{year}", "{}"), pl.col("year")))
            + bound
        )
    )
    known = measured.select("gemeente_code", "year", "age_group", "population", "source")
    wide = known.pivot(on="year", index=["gemeente_code", "age_group"], values="population")
    bounded = measured.group_by("gemeente_code").agg(pl.col("bounded").any())
    interpolated = {  # year → weight of each known year
        2020: {"2019": 0.5, "2021": 0.5},
        2023: {"2022": 2 / 3, "2025": 1 / 3},
        2024: {"2022": 1 / 3, "2025": 2 / 3},
    }
    extra = pl.concat(
        wide.join(bounded, on="gemeente_code").select(
            "gemeente_code",
            pl.lit(year, pl.Int32).alias("year"),
            "age_group",
            pl.sum_horizontal(pl.col(k) * w for k, w in weights.items()).alias("population"),
            (pl.lit(SOURCE_INTERPOLATED.format(a=min(weights), b=max(weights))) + bound).alias(
                "source"
            ),
        )
        for year, weights in interpolated.items()
    )
    return (
        pl.concat([known, extra])
        .filter(pl.col("year").is_in(list(YEARS)))
        .select(
            "gemeente_code",
            pl.col("year").cast(pl.Int32),
            "age_group",
            pl.col("population").round(0).cast(pl.Int64),
            pl.lit(True).alias("is_estimate"),
            "source",
        )
        .sort("gemeente_code", "year", "age_group")
    )


def youth_total(population: pl.DataFrame) -> pl.DataFrame:
    """0-18 year olds per gemeente and year (the sum of the YOUTH age groups)."""
    return (
        population.filter(pl.col("age_group").is_in(YOUTH))
        .group_by("gemeente_code", "year")
        .agg(pl.col("population").sum())
        .sort("gemeente_code", "year")
    )
