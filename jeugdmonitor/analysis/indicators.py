"""Indicator values for any region: weighted sums of member counts, with coverage and the NL reference.

A region's numerator and denominator are Σ weight × count over its member gemeenten *that have a
value* for that year and breakdown; the rate is their ratio. Percentages are never averaged.
Coverage is the share of the region's youths (0-18, weighted like the counts) living in members
with a value. Below COVERAGE_MIN the region gets no value (numerator and denominator null) and
`coverage_note` says why; above it, with members missing, the note says which share is covered.
A 2024 gemeente formed from several gemeenten follows the same rule with its parts (its row's
`coverage` and `note`, made by the build). Where the source published a rounded percentage
(`published_rate`), a gemeente (and Nederland) shows that percentage, and every interval built on
such figures also covers the rounding (±0.05 percentage point, `ROUNDING`). Nederland uses CBS's
own national figure where the source publishes one (`national` table). Results per (indicator,
region type) are computed once per process and shared by all sessions.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis.stats import ROUNDING, significance, with_rate_ci
from jeugdmonitor.data.regions import NL_CODE
from jeugdmonitor.data.store import COVERAGE_MIN, Store

YOUTH_AGES = ("0-4", "4-12", "12-18")
VALUE_COLUMNS = [
    "region_code",
    "indicator",
    "year",
    "breakdown",
    "numerator",
    "denominator",
    "is_simulated",
    "is_estimate",
    "source",
    "n_members",
    "n_covered",
    "coverage",
    "coverage_note",
    "numerator_low",
    "numerator_high",
    "published_rate",
    "rounding",
]


def catalogue_entry(store: Store, indicator: str) -> dict[str, str]:
    """The catalogue row of an indicator as a dict (KeyError when unknown); indexed once."""
    index = store.cached(
        "catalogue_index",
        lambda: {r["indicator"]: r for r in store.catalogue.iter_rows(named=True)},
    )
    if indicator not in index:
        raise KeyError(f"unknown indicator {indicator!r}")
    return dict(index[indicator])


def breakdown_labels(store: Store) -> dict[str, str]:
    """Breakdown key → Dutch label ('age=4-12' → '4-12 jaar')."""
    return store.cached(
        "breakdown_labels",
        lambda: dict(store.breakdowns.select("breakdown", "label_nl").iter_rows()),
    )


def youth(store: Store) -> pl.DataFrame:
    """0-18 year olds per gemeente and year (`pop_year`): the weights of coverage."""
    return store.cached(
        "youth_by_year",
        lambda: (
            store.population.filter(pl.col("age_group").is_in(YOUTH_AGES))
            .group_by("gemeente_code", pl.col("year").alias("pop_year"))
            .agg(pl.col("population").sum().alias("youth"))
        ),
    )


def _pop_year(store: Store) -> pl.Expr:
    """An indicator year mapped onto the nearest year with population figures."""
    years = store.cached("population_years", lambda: store.population["year"].unique().sort())
    if not years.len():
        return pl.col("year")
    return pl.col("year").clip(int(years.min()), int(years.max())).alias("pop_year")


def coverage_note(region_type: str) -> pl.Expr:
    """Dutch note on a region value built from part of its members (null when complete).

    Below COVERAGE_MIN it says why there is no value; above it, which share is covered.
    """
    if region_type == "gemeente":
        return pl.lit(None, pl.String)
    share = (pl.col("coverage").fill_null(0) * 100).floor().cast(pl.Int64)
    missing = pl.format(
        "geen waarde: alleen {} van {} gemeenten hebben cijfers ({}% van de jeugdigen; "
        f"minimaal {COVERAGE_MIN:.0%} nodig)",
        "n_covered",
        "n_members",
        share,
    )
    partial = pl.format(
        "{} van {} gemeenten ({}% van de jeugdigen)", "n_covered", "n_members", share
    )
    complete = (pl.col("n_covered") >= pl.col("n_members")) & (
        pl.col("coverage").fill_null(0) >= 1 - 1e-9
    )
    return (
        pl.when(complete)
        .then(None)
        .when(pl.col("coverage").fill_null(0) < COVERAGE_MIN)
        .then(missing)
        .otherwise(partial)
    )


def _member_notes(store: Store) -> pl.Expr:
    """'Amsterdam zonder Weesp: < 10': a member's own note, named (in a group_by over members)."""
    names = store.cached(
        "gemeente_names",
        lambda: dict(store.regions.filter(pl.col("type") == "gemeente").select("code", "name")
                     .iter_rows()),
    )  # fmt: skip
    named = pl.format(
        "{} {}", pl.col("gemeente_code").replace_strict(names, default=pl.col("gemeente_code")),
        pl.col("note"),
    )  # fmt: skip
    return named.filter(pl.col("note").is_not_null()).unique().sort().str.join("; ")


def _aggregate(store: Store, indicator: str, region_type: str) -> pl.DataFrame:
    member = store.membership.join(
        store.regions.filter(pl.col("type") == region_type).select(
            pl.col("code").alias("region_code")
        ),
        on="region_code",
    )
    rows = store.indicators.lazy().filter(pl.col("indicator") == indicator)
    keys = rows.select("year", "breakdown").unique()
    weights = youth(store).lazy()
    pop_year = _pop_year(store)
    # a row of a merged gemeente counted over too few of its parts is no value (its note says why)
    usable = pl.col("coverage").is_null() | (pl.col("coverage") >= COVERAGE_MIN)
    expected = (
        member.lazy()
        .join(keys, how="cross")
        .with_columns(pop_year)
        .join(weights, on=["gemeente_code", "pop_year"], how="left")
        .group_by("region_code", "year", "breakdown")
        .agg(
            pl.len().alias("n_members"),
            (pl.col("weight") * pl.col("youth").fill_null(0)).sum().alias("youth_all"),
        )
    )
    member_youth = pl.col("weight") * pl.col("youth").fill_null(0) * pl.col("coverage").fill_null(1)
    joined = (
        rows.join(member.lazy(), on="gemeente_code")
        .with_columns(pop_year)
        .join(weights, on=["gemeente_code", "pop_year"], how="left")
    )
    actual = (
        joined.filter(usable)
        .group_by("region_code", "year", "breakdown")
        .agg(
            (pl.col("numerator") * pl.col("weight")).sum().alias("numerator"),
            (pl.col("denominator") * pl.col("weight")).sum().alias("denominator"),
            # an estimate's bounds add up (members without bounds count as exact)
            *(
                pl.when(pl.col("numerator_low").is_not_null().any())
                .then((pl.coalesce(bound, "numerator") * pl.col("weight")).sum())
                .alias(bound)
                for bound in ("numerator_low", "numerator_high")
            ),
            pl.col("is_simulated").any(),
            pl.col("is_estimate").any(),
            pl.col("source").unique().sort().str.join("; "),
            pl.len().alias("n_covered"),
            member_youth.sum().alias("youth_covered"),
            # the published percentage holds for a gemeente itself, not for a sum of gemeenten
            pl.col("published_rate").first() if region_type == "gemeente"
            else pl.lit(None, pl.Float64).alias("published_rate"),
            pl.when(pl.col("published_rate").is_not_null().any())
            .then(pl.lit(ROUNDING)).otherwise(pl.lit(0.0)).alias("rounding"),
            _member_notes(store).alias("member_notes"),
        )
    )  # fmt: skip
    own_note = joined.group_by("region_code", "year", "breakdown").agg(
        pl.col("note").drop_nulls().first().alias("own_note"),
    )
    frame = (
        expected.join(actual, on=["region_code", "year", "breakdown"], how="left")
        .join(own_note, on=["region_code", "year", "breakdown"], how="left")
        .with_columns(
            pl.lit(indicator).alias("indicator"),
            pl.col("n_covered").fill_null(0),
            pl.when(pl.col("youth_all") > 0)
            .then(pl.col("youth_covered").fill_null(0) / pl.col("youth_all"))
            .alias("coverage"),
        )
        .collect()
    )
    complete = pl.col("n_covered") >= pl.col("n_members")
    enough = complete | (pl.col("coverage") >= COVERAGE_MIN)
    if region_type == "gemeente":
        note = pl.col("own_note")
    else:
        extra = pl.col("member_notes").replace("", None)
        base = coverage_note(region_type)
        note = (
            pl.when(extra.is_null())
            .then(base)
            .otherwise(pl.concat_str([base, extra], separator="; ", ignore_nulls=True))
        )
    frame = _with_regional(store, indicator, frame)
    frame = frame.with_columns(
        pl.when(enough).then(pl.col("numerator")).alias("numerator"),
        pl.when(enough).then(pl.col("denominator")).alias("denominator"),
        *(pl.when(enough).then(pl.col(b)).alias(b) for b in ("numerator_low", "numerator_high")),
        pl.when(enough).then(pl.col("published_rate")).alias("published_rate"),
        note.alias("coverage_note"),
        pl.col("is_simulated").fill_null(False),
        pl.col("is_estimate").fill_null(False),
        pl.col("rounding").fill_null(0.0),
    )
    if region_type == "nederland":
        frame = _with_national(store, indicator, frame)
    return frame.select(VALUE_COLUMNS).sort("region_code", "year", "breakdown")


def _with_regional(store: Store, indicator: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Replace a region's summed counts by the figure the build computed for the region itself
    (`regional`: pupils by postcode of residence for an SWV), where there is one."""
    own = store.regional.filter(pl.col("indicator") == indicator).select(
        "region_code",
        "year",
        "breakdown",
        *(pl.col(c).alias(f"reg_{c}") for c in REGIONAL_COLUMNS),
    )
    if not own.height:
        return frame
    has = pl.col("reg_numerator").is_not_null()
    joined = frame.join(own, on=["region_code", "year", "breakdown"], how="left")
    return joined.with_columns(
        pl.when(has).then(pl.col(f"reg_{c}")).otherwise(pl.col(c)).alias(c)
        for c in REGIONAL_COLUMNS
    ).drop(f"reg_{c}" for c in REGIONAL_COLUMNS)


REGIONAL_COLUMNS = (
    "numerator",
    "denominator",
    "numerator_low",
    "numerator_high",
    "source",
    "is_estimate",
)


def _with_national(store: Store, indicator: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Replace NL's summed counts by CBS's own national figure where the source has one."""
    national = store.national.filter(pl.col("indicator") == indicator).select(
        "year",
        "breakdown",
        pl.col("numerator").alias("nat_num"),
        pl.col("denominator").alias("nat_den"),
        pl.col("source").alias("nat_source"),
        pl.col("is_estimate").alias("nat_est"),
        pl.col("published_rate").alias("nat_rate"),
    )
    if not national.height:
        return frame
    has = pl.col("nat_num").is_not_null()
    return (
        frame.join(national, on=["year", "breakdown"], how="left")
        .with_columns(
            pl.when(has).then(pl.col("nat_num")).otherwise(pl.col("numerator")).alias("numerator"),
            pl.when(has).then(pl.col("nat_den")).otherwise(pl.col("denominator"))
            .alias("denominator"),
            pl.when(has).then(pl.col("nat_source")).otherwise(pl.col("source")).alias("source"),
            pl.when(has).then(pl.col("nat_est")).otherwise(pl.col("is_estimate"))
            .alias("is_estimate"),
            pl.when(has).then(None).otherwise(pl.col("coverage_note")).alias("coverage_note"),
            pl.when(has).then(pl.lit(1.0)).otherwise(pl.col("coverage")).alias("coverage"),
            # CBS's national figure is a count of its own: the members' bounds do not apply
            *(pl.when(has).then(None).otherwise(pl.col(b)).alias(b)
              for b in ("numerator_low", "numerator_high")),
            pl.when(has).then(pl.col("nat_rate")).otherwise(pl.col("published_rate"))
            .alias("published_rate"),
            pl.when(has & pl.col("nat_rate").is_not_null()).then(pl.lit(ROUNDING))
            .when(has).then(pl.lit(0.0)).otherwise(pl.col("rounding")).alias("rounding"),
        )
    )  # fmt: skip


def level_values(store: Store, indicator: str, region_type: str) -> pl.DataFrame:
    """Counts, rate and Wilson CI for every region of one type, all years and breakdowns.

    Joined with the NL reference (nl_numerator, nl_denominator, nl_rate) and a `significant`
    column ('hoger'/'lager' than NL, or null).
    """

    def compute() -> pl.DataFrame:
        values = with_rate_ci(_aggregate(store, indicator, region_type), published=True)
        nl = (
            values
            if region_type == "nederland"
            else with_rate_ci(_aggregate(store, indicator, "nederland"), published=True)
        ).select(
            "year",
            "breakdown",
            pl.col("numerator").alias("nl_numerator"),
            pl.col("denominator").alias("nl_denominator"),
            pl.col("rate").alias("nl_rate"),
        )
        joined = values.join(nl, on=["year", "breakdown"], how="left")
        return joined.with_columns(significant=significance("nl_rate"))

    return store.cached(("level_values", indicator, region_type), compute)


def region_values(
    store: Store, code: str, indicator: str, year: int | None = None, breakdown: str | None = None
) -> pl.DataFrame:
    """Values of one region (all years/breakdowns unless given), with the NL reference columns."""
    region = store.region_index.get(code)
    if region is None:
        raise KeyError(f"unknown region code {code!r}")
    frame = level_values(store, indicator, region["type"]).filter(pl.col("region_code") == code)
    if year is not None:
        frame = frame.filter(pl.col("year") == year)
    if breakdown is not None:
        frame = frame.filter(pl.col("breakdown") == breakdown)
    return frame


def nl_values(store: Store, indicator: str) -> pl.DataFrame:
    """The national values of an indicator (all years and breakdowns)."""
    return region_values(store, NL_CODE, indicator)


def latest_year(store: Store, indicator: str) -> int:
    """Most recent year with data for an indicator."""
    return store.cached(
        ("latest_year", indicator),
        lambda: int(store.indicators.filter(pl.col("indicator") == indicator)["year"].max()),
    )


def years(store: Store, indicator: str) -> list[int]:
    """All years with data for an indicator, ascending."""
    return store.cached(
        ("years", indicator),
        lambda: sorted(
            store.indicators.filter(pl.col("indicator") == indicator)["year"].unique().to_list()
        ),
    )
