"""Importer for the legal PC4 → SWV po/vo table (Regeling regio-indeling passend onderwijs, 2015)."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import polars as pl

from jeugdmonitor.data.sources.crosswalk import resolve_names

SWV_COLUMNS = {"pc4": pl.String, "gemeente": pl.String, "po_swv": pl.String, "vo_swv": pl.String}
NOT_AN_SWV = ("Europoort",)  # three port postcodes carry this value instead of an SWV code
MILLION = 1_000_000


def read_pc4_table(path: Path) -> pl.DataFrame:
    """Read the PC4 table and drop rows that name no SWV (Europoort)."""
    frame = pl.read_csv(path, schema_overrides=SWV_COLUMNS)
    missing = [c for c in SWV_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame.filter(~pl.col("po_swv").is_in(NOT_AN_SWV) & ~pl.col("vo_swv").is_in(NOT_AN_SWV))


def swv_weights(
    pc4: pl.DataFrame,
    gemeenten: pl.DataFrame,
    crosswalk: pl.DataFrame,
    youth: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Weight of each 2024 gemeente in each SWV (po and vo): the share of its youths there.

    The regeling lists postcodes per gemeente of 2015 (a *part* of a 2024 gemeente, or all of it).
    Within a part, the share of its postcodes (PC4) in an SWV stands for its share of children
    there (no population per PC4 is bundled). Between the parts of a merged 2024 gemeente the
    weight follows their youths 0-17 (`youth`: old_code, year, youth, on their own boundaries), in
    the latest year all parts were counted (Amsterdam: Amsterdam and Weesp in 2022); where a part
    has no own youth figure (merged before 2019) the postcodes of all parts count alike. A part
    split over several 2024 gemeenten (Haaren) counts with its crosswalk share. So a gemeente's po
    weights sum to 1, and so do its vo weights. Computed exactly (fractions) and rounded to
    millionths, the largest weight absorbing the rounding, so sums are exactly 1 and no float
    summation order can change a bit.
    """
    resolved = resolve_names(pc4["gemeente"], gemeenten, crosswalk)
    rows = pc4.join(resolved, left_on="gemeente", right_on="old_name", how="inner")
    codes = dict(gemeenten.select("name", "code").iter_rows()) | dict(
        crosswalk.filter(pl.col("old_code").is_not_null())
        .select("old_name", "old_code")
        .iter_rows()
    )
    sizes = _part_youth(rows, codes, youth)
    parts = []
    for kind in ("po", "vo"):
        counts = (
            rows.group_by("gm_code", "gemeente", pl.col(f"{kind}_swv").alias("region_code"))
            .agg(pl.len().alias("n"), pl.col("share").first())
            .sort("gm_code", "gemeente", "region_code")
        )
        exact: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
        part_total = dict(counts.group_by("gm_code", "gemeente").agg(pl.col("n").sum()).select(
            pl.concat_str("gm_code", "gemeente", separator="|"), "n").iter_rows())  # fmt: skip
        for gm, part, region, n, share in counts.iter_rows():
            size = sizes.get((gm, part))
            if size is None:  # postcodes count alike: the part weighs its share of postcodes
                weight = Fraction(round(share * 100)) * n
            else:
                weight = (
                    Fraction(size) * Fraction(round(share * 100)) * n / part_total[f"{gm}|{part}"]
                )
            exact[gm][region] += weight
        parts.append(_rounded(exact, f"swv_{kind}"))
    return pl.concat(parts).sort("type", "gemeente_code", "region_code")


def _part_youth(
    rows: pl.DataFrame, codes: dict[str, str], youth: pl.DataFrame | None
) -> dict[tuple[str, str], int]:
    """(2024 gemeente, 2015 part name) → the part's youths in the latest year every part of that
    gemeente was counted; gemeenten with a part without figures are left out (postcodes then)."""
    if youth is None:
        return {}
    counted = {(c, y): n for c, y, n in youth.select("old_code", "year", "youth").iter_rows()}
    years = sorted({y for _, y in counted}, reverse=True)
    out: dict[tuple[str, str], int] = {}
    for (gm,), group in rows.group_by("gm_code", maintain_order=True):
        part_names = sorted(set(group["gemeente"].to_list()))
        if len(part_names) < 2:
            continue  # one part: the weights are its postcode shares either way
        for year in years:
            found = [counted.get((codes.get(p, ""), year)) for p in part_names]
            if all(n is not None for n in found):
                out.update({(gm, p): int(n) for p, n in zip(part_names, found, strict=True)})
                break
    return out


def _rounded(exact: dict[str, dict[str, Fraction]], kind: str) -> pl.DataFrame:
    """Exact weights per gemeente → millionths summing to exactly one (the largest absorbs)."""
    out = []
    for gm in sorted(exact):
        total = sum(exact[gm].values())
        micro = {r: round(w * MILLION / total) for r, w in exact[gm].items()}
        largest = sorted(micro, key=lambda r: (-micro[r], r))[0]
        micro[largest] += MILLION - sum(micro.values())
        out += [(gm, r, micro[r] / MILLION, kind) for r in sorted(micro)]
    return pl.DataFrame(
        out,
        schema={"gemeente_code": pl.String, "region_code": pl.String, "weight": pl.Float64,
                "type": pl.String},
        orient="row",
    )  # fmt: skip
