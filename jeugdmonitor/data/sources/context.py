"""Real context per 2024 gemeente: households, income, bijstand, urbanity and area (CBS).

From KWB 2021/2022 (own boundaries, summed to 2024 gemeenten) and CBS 'Inkomen van huishoudens;
regio' 2024. Counts are summed over merged predecessors; percentages and the address density are
household-weighted means of the predecessors (`is_estimate` then, since CBS's own denominators of
those percentages are not in the file); the urbanity class of a merged gemeente is derived from its
merged address density with CBS's class bounds. A 2024 value is only built when every predecessor
has one. The 2022 income and benefit columns are empty in the source, so those are 2021 only.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jeugdmonitor.data.sources import statline
from jeugdmonitor.data.sources.crosswalk import resolve_codes

KWB_SOURCE = "CBS Kerncijfers wijken en buurten {year}"
INCOME_SOURCE = "CBS Inkomen van huishoudens; regio, 2024 (voorlopig)"
# variable → (KWB column, how merged predecessors combine: 'sum' or 'mean' weighted by households)
KWB_VARIABLES = {
    "inwoners": ("a_inw", "sum"),
    "huishoudens": ("a_hh", "sum"),
    "huishoudens_met_kinderen": ("a_hh_m_k", "sum"),
    "pct_laag_inkomen": ("p_hh_lkk", "mean"),
    "pct_sociaal_minimum": ("p_hh_osm", "mean"),
    "pct_laagste_40_inkomen": ("p_hh_li", "mean"),
    "bijstand": ("a_soz_wb", "sum"),
    "adressendichtheid": ("ste_oad", "mean"),
    "stedelijkheid": ("ste_mvs", "class"),
    "oppervlakte_land_km2": ("a_lan_ha", "sum"),
}
# CBS stedelijkheid: 1 ≥ 2,500 addresses/km², 2: 1,500-2,500, 3: 1,000-1,500, 4: 500-1,000, 5 < 500
URBANITY_BOUNDS = (2500, 1500, 1000, 500)
INCOME_COLUMNS = {
    "Inkomen/Gemiddeld gestandaardiseerd inkomen (1 000 euro)": "inkomen_gestandaardiseerd",
    "Inkomen/Mediaan gestandaardiseerd inkomen (1 000 euro)": "inkomen_gestandaardiseerd_mediaan",
}
INCOME_YEAR = 2024
CONTEXT_COLUMNS = ["gemeente_code", "year", "variable", "value", "is_estimate", "source"]


def urbanity_class(density: pl.Expr) -> pl.Expr:
    """CBS urbanity class (1 very strongly … 5 not urban) from the address density."""
    expr = pl.lit(5.0)
    for cls, bound in reversed(list(enumerate(URBANITY_BOUNDS, start=1))):
        expr = pl.when(density >= bound).then(pl.lit(float(cls))).otherwise(expr)
    return expr


def kwb_context(
    kwb_gemeenten: pl.DataFrame, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """KWB variables per 2024 gemeente and year (2021, 2022), long, with `is_estimate`."""
    resolved = resolve_codes(kwb_gemeenten["code"], gemeenten, crosswalk)
    rows = kwb_gemeenten.join(resolved, left_on="code", right_on="old_code")
    weight = pl.col("a_hh") * pl.col("share")

    def combined(column: str, how: str) -> pl.Expr:
        if how == "sum":
            value = (pl.col(column) * pl.col("share")).sort().sum()
        else:
            value = (pl.col(column) * weight).sort().sum() / weight.sort().sum()
        return pl.when(pl.col(column).is_null().any()).then(None).otherwise(value)

    merged = rows.group_by("gm_code", "year").agg(
        *(
            combined(col, "mean" if how == "class" else how).alias(var)
            for var, (col, how) in KWB_VARIABLES.items()
        ),
        (pl.len() > 1).alias("merged"),
    )
    merged = merged.with_columns(
        pl.when(pl.col("merged"))
        .then(urbanity_class(pl.col("adressendichtheid")))
        .otherwise(pl.col("stedelijkheid"))
        .alias("stedelijkheid"),
        (pl.col("oppervlakte_land_km2") / 100).alias("oppervlakte_land_km2"),
    )
    means = [var for var, (_, how) in KWB_VARIABLES.items() if how != "sum"]
    return (
        merged.unpivot(
            index=["gm_code", "year", "merged"], on=list(KWB_VARIABLES), variable_name="variable"
        )
        .filter(pl.col("value").is_not_null())
        .select(
            pl.col("gm_code").alias("gemeente_code"),
            pl.col("year").cast(pl.Int32),
            "variable",
            pl.col("value").round(6),
            (pl.col("merged") & pl.col("variable").is_in(means)).alias("is_estimate"),
            pl.format(KWB_SOURCE.replace("{year}", "{}"), pl.col("year")).alias("source"),
        )
    )


def income_context(path: Path, gemeenten: pl.DataFrame, crosswalk: pl.DataFrame) -> pl.DataFrame:
    """Standardised household income 2024 (mean and median, × 1,000 euro) per 2024 gemeente."""
    frame = statline.numbers(statline.read_export(path), INCOME_COLUMNS, path)
    rows = statline.gemeente_rows(frame, list(INCOME_COLUMNS.values()), path)
    resolved = resolve_codes(rows["own_code"], gemeenten, crosswalk)
    if resolved.filter(pl.col("share") != 1.0).height or resolved["gm_code"].is_duplicated().any():
        raise statline.StatlineError(f"{path}: expected one row per 2024 gemeente")
    return (
        rows.join(resolved, left_on="own_code", right_on="old_code")
        .unpivot(index="gm_code", on=list(INCOME_COLUMNS.values()), variable_name="variable")
        .filter(pl.col("value").is_not_null())
        .select(
            pl.col("gm_code").alias("gemeente_code"),
            pl.lit(INCOME_YEAR, pl.Int32).alias("year"),
            "variable",
            "value",
            pl.lit(False).alias("is_estimate"),
            pl.lit(INCOME_SOURCE).alias("source"),
        )
    )


def context_table(kwb_part: pl.DataFrame, income_part: pl.DataFrame) -> pl.DataFrame:
    """Both parts, sorted by key."""
    return (
        pl.concat([kwb_part, income_part])
        .select(CONTEXT_COLUMNS)
        .sort("gemeente_code", "year", "variable")
    )


def wide(context: pl.DataFrame, year: int, variables: list[str] | None = None) -> pl.DataFrame:
    """One row per gemeente with a column per variable for one year (for models and simulation)."""
    frame = context.filter(pl.col("year") == year)
    if variables is not None:
        frame = frame.filter(pl.col("variable").is_in(variables))
    return frame.pivot(on="variable", index="gemeente_code", values="value").sort("gemeente_code")
