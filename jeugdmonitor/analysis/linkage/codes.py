"""Code lists of the linkage extracts (onderwijssoort, geslacht, zorgvorm, verwijzer, leeftijd).

They live in `reference/linkage_codes.csv` so a gemeente with other codes edits data, not code.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from jeugdmonitor.data.files import reference_csv

DIMENSIONS = ("zorgvorm", "verwijzer", "leeftijd", "aanbieder")  # the mixes published per school
OTHER_PROVIDERS = "Overige aanbieders"  # the category that collects all but the largest providers
TOP_PROVIDERS = 5  # "grootste aanbieders": the largest per school type and year
# upper bounds (exclusive) of the age bands in reference/linkage_codes.csv
AGE_BREAKS = (6, 9, 12, 15, 18)


@cache
def _table() -> pl.DataFrame:
    return reference_csv("linkage_codes", schema_overrides={"code": pl.String}).sort(
        "dimension", "sort"
    )


def codes(dimension: str) -> list[str]:
    """The known codes of one dimension, in display order."""
    found = _table().filter(pl.col("dimension") == dimension)["code"].to_list()
    if not found:
        raise KeyError(f"unknown code dimension {dimension!r}")
    return found


def labels(dimension: str) -> dict[str, str]:
    """Code → Dutch label of one dimension."""
    frame = _table().filter(pl.col("dimension") == dimension)
    return dict(zip(frame["code"], frame["label_nl"], strict=True))


def age_band(age: pl.Expr) -> pl.Expr:
    """Map an age in whole years to its band code ('0-5', '6-8', ..., '18+')."""
    bands = codes("leeftijd")
    expr = pl.when(age < AGE_BREAKS[0]).then(pl.lit(bands[0]))
    for upper, band in zip(AGE_BREAKS[1:], bands[1:-1], strict=True):
        expr = expr.when(age < upper).then(pl.lit(band))
    return expr.otherwise(pl.lit(bands[-1]))
