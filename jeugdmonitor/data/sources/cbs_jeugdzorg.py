"""The fetched jeugdzorg-in-natura series (85075NED, 85335NED, 86000NED, …) through the build's rules.

`jeugdmonitor fetch` reads these yearly tables by the mapping (`reference/cbs_sources.csv`), but
the figures are made by the same functions as `jeugdmonitor build` (`sources.jeugdzorg`): the
0-17 count with suppressed age cells estimated (`with_youth_total`), the verwijzer share of the
trajectories with a verwijzer (`jeugdzorg_parts`), and merged gemeenten summed with the coverage
rule (`combine_parts`). One thing the fetch cannot do like the build: weigh the parts of a merged
gemeente by their youths when it has no population of the former gemeenten (the build estimates
it from raw/ files the fetch does not read; 03759ned gives it for the years it is fetched). Such a
2024 gemeente-year is then built only when every part has the count (`_whole`), never from some.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.data.sources import jeugdzorg
from jeugdmonitor.data.sources.cbs_mapping import CbsError, Spec

INDICATORS = ("jeugdzorg", "jeugdzorg_huishouden", "jeugdzorg_verwijzer")
# build column → the mapping row (indicator, breakdown, part) that fetches it
COLUMNS = {
    "jz_totaal": ("jeugdzorg_huishouden", "huishouden=eenouder", "denominator"),
    **{c: ("jeugdzorg", b, "numerator") for b, c in jeugdzorg.AGE_COLUMNS.items()},
    "jz_18_23": ("jeugdzorg", "all", "cell"),
    **{c: ("jeugdzorg_huishouden", b, "numerator") for b, c in jeugdzorg.HOUSEHOLD_COLUMNS.items()},
    **{c: ("jeugdzorg_verwijzer", b, "numerator") for b, c in jeugdzorg.REFERRER_COLUMNS.items()},
}
KEYS = ["indicator", "gemeente_code", "year", "breakdown"]
AGES = ["0-4", "4-12", "12-18"]


def own_rows(series: dict[tuple[str, str, str], pl.DataFrame], specs: list[Spec]) -> pl.DataFrame:
    """code, year and the build's count columns from the fetched series (empty: nothing fetched).

    Every column the rules need must be fetched: a mapping without one is an error naming it.
    """
    if not any(k[0] in INDICATORS for k in series):
        return pl.DataFrame()
    active = {(s.indicator, s.breakdown, s.part) for s in specs}
    lacking = [k for k in COLUMNS.values() if k not in active]
    if lacking:
        raise CbsError(
            f"{specs[0].file}: the jeugdzorg figures need an active row {', '.join(lacking[0])} "
            "(the build's rules use every jeugdzorg-in-natura column)"
        )
    frames = [
        series[key].select("code", "year", pl.col("value").round(0).cast(pl.Int64).alias(col))
        for col, key in COLUMNS.items()
        if key in series
    ]
    if len(frames) < len(COLUMNS):  # a table that lacks a year's columns is caught by the fetch
        return pl.DataFrame()
    own = frames[0]
    for f in frames[1:]:
        own = own.join(f, on=["code", "year"], how="full", coalesce=True)
    return jeugdzorg.with_youth_total(own)


def _wide(pop: pl.DataFrame, key: str) -> pl.DataFrame:
    """key, year → youths per age group (columns 0-4, 4-12, 12-18) and `youth` (0-17), only where
    every group has a count; `den_estimate` and `den_source` (the real count's source, else null)."""
    rows = pop.filter(pl.col("age_group").is_in(AGES) & pl.col("population").is_not_null())
    meta = rows.group_by(key, "year").agg(
        pl.col("is_estimate").any().alias("den_estimate"),
        pl.col("source").filter(~pl.col("is_estimate")).first().alias("den_source"),
        pl.len().alias("n"),
    )
    wide = rows.with_columns(pl.col("population").round(0).cast(pl.Int64)).pivot(
        on="age_group", index=[key, "year"], values="population", aggregate_function="sum"
    )
    return (
        wide.join(meta.filter(pl.col("n") == len(AGES)).drop("n"), on=[key, "year"])
        .with_columns(pl.sum_horizontal(AGES).alias("youth"), pl.col("year").cast(pl.Int32))
        .select(key, "year", *AGES, "youth", "den_estimate", "den_source")
    )


def _whole(parts: pl.DataFrame, youth_2024: pl.DataFrame) -> pl.DataFrame:
    """Parts of a 2024 gemeente-year that cannot be weighed, as one part: the counts summed only
    when every part has one; youths (the jeugdzorg denominators) those of the 2024 gemeente."""

    def every(c: str) -> pl.Expr:
        return pl.when(pl.col(c).is_null().any()).then(None).otherwise(pl.col(c).sum()).alias(c)

    whole = parts.group_by(KEYS).agg(
        every("numerator"), every("denominator"), pl.col("estimated").any()
    )
    ages = {f"age={a}": a for a in AGES} | {"all": "youth"}
    own = youth_2024.unpivot(index=["code", "year"], on=[*AGES, "youth"], variable_name="group")
    return (
        whole.with_columns(
            pl.col("breakdown").replace_strict(ages, default=None).alias("group"),
            pl.col("gemeente_code").alias("code"),
        )
        .join(own.rename({"value": "pop"}), on=["code", "year", "group"], how="left")
        .join(youth_2024.select("code", "year", "youth"), on=["code", "year"], how="left")
        .with_columns(
            pl.when(pl.col("indicator") == "jeugdzorg")
            .then(pl.col("pop"))
            .otherwise(pl.col("denominator"))
            .alias("denominator"),
            pl.lit(None, pl.Float64).alias("published_rate"),
        )
        .select(parts.columns)
    )


def combined(
    own: pl.DataFrame,
    codes: pl.DataFrame,
    split_codes: list[str],
    pop_own: pl.DataFrame,
    pop_2024: pl.DataFrame,
    names: dict[str, str],
) -> pl.DataFrame:
    """`combine_parts` rows of the three jeugdzorg indicators on 2024 gemeenten, with
    `den_estimate` and `den_source` of the 2024 gemeente's population.

    `own` is `own_rows`; `codes` maps own codes to 2024 gemeenten (`cbs.code_map`); `pop_own` has
    youths per own code (`code`), `pop_2024` per 2024 gemeente (`gemeente_code`).
    """
    youth_own = _wide(pop_own, "code").filter(~pl.col("code").is_in(split_codes))
    youth_2024 = _wide(pop_2024, "gemeente_code").rename({"gemeente_code": "code"})
    placed = own.join(codes.select("code", pl.col("gm_code").alias("gemeente_code")), on="code")
    parts = jeugdzorg.jeugdzorg_parts(placed, youth_own.drop("den_estimate", "den_source"))
    weighable = pl.col("youth").is_not_null().all().over(KEYS)
    parts = pl.concat([parts.filter(weighable), _whole(parts.filter(~weighable), youth_2024)])
    return jeugdzorg.combine_parts(parts, names).join(
        youth_2024.select(pl.col("code").alias("gemeente_code"), "year", "den_estimate",
                          "den_source"),
        on=["gemeente_code", "year"], how="left",
    )  # fmt: skip
