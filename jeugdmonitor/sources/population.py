"""Youth population per 2024 gemeente, age group and year (an estimate built from real parts).

No bundled CBS file counts the age groups the monitor uses (0-3, 4-11, 12-17 and 18-22 years, written
'0-4', '4-12', '12-18', '18-23'). What is real:
- KWB 2019, 2021 and 2022: inhabitants aged 0-14 and 15-24 per gemeente (1 January, own boundaries);
- CBS 70072NED, 1 January 2025: five-year age bands per 2024 gemeente (<5, 5-10, 10-15, 15-20, 20-25).
Method (documented in data/README.md): each gemeente's 2025 bands say how its 0-14 and 15-24 year
olds spread over single years (uniform within a band); those shares split the KWB totals of 2019,
2021 and 2022 (mapped to 2024 gemeenten through the crosswalk). 2025 uses the bands themselves;
2020 is the mean of 2019 and 2021; 2023 and 2024 lie on the line from 2022 to 2025. Every row is
`is_estimate = true`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jeugdmonitor.sources import statline
from jeugdmonitor.sources.crosswalk import resolve_codes

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


def _group_shares() -> dict[str, tuple[pl.Expr, pl.Expr, pl.Expr]]:
    """Per age group: its share of the 0-14 and of the 15-24 year olds, and its 2025 count.

    From the 2025 five-year bands b00 (<5) … b20 (20-24), each spread evenly over its years.
    """
    b00, b05, b10, b15, b20 = (pl.col(c) for c in ("b00", "b05", "b10", "b15", "b20"))
    young, older = b00 + b05 + b10, b15 + b20
    counts = {
        "0-4": (0.8 * b00, None),  # ages 0-3: 4 of the 5 years under 5
        "4-12": (0.2 * b00 + b05 + 0.4 * b10, None),  # ages 4-11
        "12-18": (0.6 * b10, 0.6 * b15),  # ages 12-14 and 15-17
        "18-23": (None, 0.4 * b15 + 0.6 * b20),  # ages 18-22
    }
    zero = pl.lit(0.0)
    return {
        age: (
            zero if y is None else y / young,
            zero if o is None else o / older,
            (zero if y is None else y) + (zero if o is None else o),
        )
        for age, (y, o) in counts.items()
    }


def split_ages(
    kwb: pl.DataFrame, bands: pl.DataFrame, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Population per (old_code, gemeente_code, year, age_group) for the KWB years.

    A gemeente on old boundaries is first divided over its 2024 successors (crosswalk share; 1 for
    all but Haaren), then each part is split with its successor's 2025 band shares. Summing over
    `old_code` gives 2024 gemeenten; over `gemeente_code` the gemeente of its own year.
    """
    resolved = resolve_codes(kwb["old_code"], gemeenten, crosswalk)
    parts = kwb.join(resolved, on="old_code").join(
        bands.select("gemeente_code", "b00", "b05", "b10", "b15", "b20"),
        left_on="gm_code",
        right_on="gemeente_code",
    )
    return pl.concat(
        parts.select(
            "old_code",
            pl.col("gm_code").alias("gemeente_code"),
            "year",
            pl.lit(age).alias("age_group"),
            (pl.col("share") * (pl.col("a_00_14") * s014 + pl.col("a_15_24") * s1524)).alias(
                "population"
            ),
        )
        for age, (s014, s1524, _) in _group_shares().items()
    ).sort("year", "old_code", "gemeente_code", "age_group")


def youth_population(split: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    """Population per 2024 gemeente × year × age group (YEARS), all `is_estimate`, with the method.

    `split` is `split_ages` (2019, 2021, 2022); `bands` gives 2025 directly; 2020, 2023 and 2024
    are interpolated.
    """
    measured = (
        split.group_by("gemeente_code", "year", "age_group")
        .agg(pl.col("population").sort().sum())
        .with_columns(source=pl.format(SOURCE_SPLIT.replace("{year}", "{}"), pl.col("year")))
    )
    band_year = pl.concat(
        bands.select(
            "gemeente_code",
            pl.lit(BANDS_YEAR, pl.Int32).alias("year"),
            pl.lit(age).alias("age_group"),
            count.alias("population"),
            pl.lit(SOURCE_BANDS).alias("source"),
        )
        for age, (_, _, count) in _group_shares().items()
    )
    known = pl.concat([measured.select(band_year.columns), band_year])
    wide = known.pivot(on="year", index=["gemeente_code", "age_group"], values="population")
    interpolated = {  # year → weight of each known year
        2020: {"2019": 0.5, "2021": 0.5},
        2023: {"2022": 2 / 3, "2025": 1 / 3},
        2024: {"2022": 1 / 3, "2025": 2 / 3},
    }
    extra = pl.concat(
        wide.select(
            "gemeente_code",
            pl.lit(year, pl.Int32).alias("year"),
            "age_group",
            pl.sum_horizontal(pl.col(k) * w for k, w in weights.items()).alias("population"),
            pl.lit(SOURCE_INTERPOLATED.format(a=min(weights), b=max(weights))).alias("source"),
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
