"""Link jeugdhulp trajectories to the school a pupil attends, per school year (lazy, pseudonymised).

A trajectory counts in school year J (1 August J to 31 July J+1) when it overlaps that period.
It is attributed to the school where the pupil is enrolled in J. Its cost is spread over the
school years in proportion to the days of the trajectory in each. Ongoing trajectories (no end
date) run until the peildatum, by default the latest date in the jeugdhulp extract.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from jeugdmonitor.analysis.linkage.codes import age_band


def school_year(day: pl.Expr) -> pl.Expr:
    """Start year of the school year a date falls in (school years start on 1 August)."""
    return (day.dt.year() - (day.dt.month() < 8).cast(pl.Int32)).cast(pl.Int32)


def peildatum(jeugdhulp: pl.DataFrame | pl.LazyFrame) -> date:
    """The default peildatum: the latest start or end date in the (clean) jeugdhulp extract."""
    latest = (
        jeugdhulp.lazy()
        .select(pl.max_horizontal(pl.col("begindatum").max(), pl.col("einddatum").max()))
        .collect()
        .item()
    )
    if latest is None:
        raise ValueError("the jeugdhulp extract has no valid rows")
    return latest


def trajectory_years(jeugdhulp: pl.LazyFrame, first: int, last: int, until: date) -> pl.LazyFrame:
    """One row per trajectory per school year it overlaps (within first..last), with cost share."""
    end = pl.coalesce(pl.col("einddatum"), pl.lit(until)).clip(upper_bound=pl.lit(until))
    end = pl.max_horizontal(end, pl.col("begindatum"))
    days = (end - pl.col("begindatum")).dt.total_days() + 1
    year_start = pl.date(pl.col("schooljaar"), 8, 1)
    year_end = pl.date(pl.col("schooljaar") + 1, 7, 31)
    overlap = (
        pl.min_horizontal(pl.col("_eind"), year_end)
        - pl.max_horizontal(pl.col("begindatum"), year_start)
    ).dt.total_days() + 1
    return (
        jeugdhulp.with_columns(_eind=end, _dagen=days)
        .with_columns(
            pl.int_ranges(
                school_year(pl.col("begindatum")).clip(first, last + 1),
                school_year(pl.col("_eind")).clip(first - 1, last) + 1,
                dtype=pl.Int32,
            ).alias("schooljaar")
        )
        .explode("schooljaar")
        .drop_nulls("schooljaar")
        .with_columns(
            (pl.col("kosten") * overlap.clip(lower_bound=0) / pl.col("_dagen")).alias(
                "kosten_deel"
            ),
            (school_year(pl.col("begindatum")) == pl.col("schooljaar")).alias("nieuw"),
        )
        .drop("_eind", "_dagen")
    )


def link(enrolment: pl.LazyFrame, jeugdhulp: pl.LazyFrame, until: date) -> pl.LazyFrame:
    """Trajectory-years joined to the pupil's school in that year (inner join on pseudonym+year)."""
    years = enrolment.select(
        pl.col("schooljaar").min().alias("first"), pl.col("schooljaar").max().alias("last")
    ).collect()
    first, last = years.row(0)
    if first is None:
        raise ValueError("the enrolment extract has no valid rows")
    pupils = enrolment.select("pid", "schooljaar", "school_id", "onderwijssoort", "geboortedatum")
    birth = pl.col("geboortedatum")
    start = pl.col("begindatum")

    def month_day(day: pl.Expr) -> pl.Expr:  # month() is Int8: widen before multiplying
        return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)

    age = (
        start.dt.year() - birth.dt.year() - (month_day(start) < month_day(birth)).cast(pl.Int32)
    ).cast(pl.Int32)
    return (
        trajectory_years(jeugdhulp, first, last, until)
        .join(pupils, on=["pid", "schooljaar"], how="inner")
        .with_columns(age.alias("leeftijd"))
        .with_columns(age_band(pl.col("leeftijd")).alias("leeftijdsgroep"))
        .drop("geboortedatum")
    )


def coverage(jeugdhulp: pl.LazyFrame, linked: pl.LazyFrame, until: date) -> pl.DataFrame:
    """Per school year: trajectory-years in the extract and how many were linked to a school."""
    years = pl.col("schooljaar")
    first, last = linked.select(years.min().alias("a"), years.max().alias("b")).collect().row(0)
    if first is None:
        return pl.DataFrame(
            schema={"schooljaar": pl.Int32, "trajecten": pl.UInt32, "gekoppeld": pl.UInt32}
        )
    total = trajectory_years(jeugdhulp, first, last, until).group_by("schooljaar").len("trajecten")
    done = linked.group_by("schooljaar").len("gekoppeld")
    return total.join(done, on="schooljaar", how="left").sort("schooljaar").collect()
