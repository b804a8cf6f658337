"""Real youth-care figures per gemeente: CBS 85075NED (2021), 85335NED (2022) and 85098NED (2022).

- Jeugdzorg in natura (85075NED/85335NED): clients by age, by household type, and trajectories by
  verwijzer, per gemeente of its own year. Counts are CBS-rounded to multiples of 5 and a count
  below 10 is suppressed (empty). They are summed to 2024 gemeenten through the crosswalk; a 2024
  gemeente-year is only built when every predecessor has the count (never from some of them).
- The 0-18 total ('all') is the sum of the three age groups. Where CBS suppressed an age cell, it is
  estimated: the published 0-23 total minus the published cells is spread evenly over the
  suppressed cells (each at most 9, the largest suppressed count), and the row is `is_estimate`.
- 85098NED publishes percentages; each becomes a count as percentage × the denominator CBS uses
  (youths 0-17 for jeugdhulp and jeugdbescherming, youths with jeugdhulp for jeugdhulp met
  verblijf, youths 12-22 for jeugdreclassering), on the gemeente's own 2022 boundaries, and `source`
  says so.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jeugdmonitor.sources import kwb, statline
from jeugdmonitor.sources.crosswalk import resolve_codes
from jeugdmonitor.sources.population import YOUTH
from jeugdmonitor.store import SCHEMAS

SUPPRESSED_MAX = 9  # CBS suppresses counts below 10
AGE_COLUMNS = {"age=0-4": "jz_0_4", "age=4-12": "jz_4_12", "age=12-18": "jz_12_18"}
HOUSEHOLD_COLUMNS = {
    "huishouden=eenouder": "hh_eenouder",
    "huishouden=paar": "hh_paar",
    "huishouden=ander": "hh_ander",
}
REFERRER_COLUMNS = {
    f"verwijzer={c.removeprefix('vw_')}": c for c in kwb.JZ_COLUMNS.values() if c.startswith("vw_")
}
COUNT_COLUMNS = [*kwb.JZ_COLUMNS.values(), "jz_0_18"]
JZ_TABLES = {2021: "85075NED", 2022: "85335NED"}
PCT_COLUMNS = {
    "Jongeren met jeugdhulp in natura (% (zie toelichting))": "pct_jeugdhulp",
    "Jongeren met jeugdh. met verbl. in nat. (% (zie toelichting))": "pct_verblijf",
    "Jongeren met jeugdbescherming (% (zie toelichting))": "pct_jeugdbescherming",
    "Jongeren met jeugdreclassering (% (zie toelichting))": "pct_jeugdreclassering",
}
PCT_YEAR = 2022
PCT_SOURCE = "CBS 85098NED, 2022 (voorlopig): percentage × {den} (geschat), afgerond"


def jz_source(year: int) -> str:
    """The `source` of a jeugdzorg-in-natura row of a year."""
    return f"CBS {JZ_TABLES[year]}, {year}"


def read_odata_csv(path: Path) -> pl.DataFrame:
    """85335NED TypedDataSet rows as CSV (CBS keys, values padded, '.' missing) → typed rows.

    Returns level ('land'/'gemeente'), code (own), year and the youth-care count columns.
    """
    raw = pl.read_csv(path, infer_schema_length=0)
    missing = [c for c in ("Wijken", "Perioden", *kwb.JZ_COLUMNS) if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: column '{missing[0]}', row 1: column is missing")
    return typed_rows(raw, str(path))


def typed_rows(raw: pl.DataFrame, where: str) -> pl.DataFrame:
    """CBS-keyed 85075NED/85335NED rows (strings as CBS serves them) → typed youth-care rows."""
    rows = raw.with_row_index("__row", offset=2)
    values = {
        c: pl.col(c).cast(pl.String).str.strip_chars().replace({".": None, "": None})
        for c in kwb.JZ_COLUMNS
    }
    typed = rows.with_columns(v.cast(pl.Int64, strict=False).alias(c) for c, v in values.items())
    for c, v in values.items():
        bad = rows.with_columns(v.alias("__v")).filter(
            pl.col("__v").is_not_null() & typed[c].is_null()
        )
        if bad.height:
            r = bad.row(0, named=True)
            raise ValueError(f"{where}: column '{c}', row {r['__row']}: not a count {r[c]!r}")
    code = pl.col("Wijken").cast(pl.String).str.strip_chars()
    return typed.select(
        pl.when(code.str.starts_with("NL")).then(pl.lit("land")).otherwise(pl.lit("gemeente"))
        .alias("level"),
        code.alias("code"),
        pl.col("Perioden").cast(pl.String).str.slice(0, 4).cast(pl.Int32).alias("year"),
        *(pl.col(c).alias(name) for c, name in kwb.JZ_COLUMNS.items()),
    ).sort("level", "code")  # fmt: skip


def with_youth_total(rows: pl.DataFrame) -> pl.DataFrame:
    """Add `jz_0_18` (clients 0-17) and `jz_0_18_estimated` (true when an age cell was suppressed).

    A suppressed cell lies in 0…9. The published 0-23 total minus the published age cells is what
    the suppressed cells (youth ages and 18-22) hold together; it is spread evenly over them.
    """
    ages = list(AGE_COLUMNS.values())
    cells = [*ages, "jz_18_23"]
    published = pl.sum_horizontal(pl.col(cells).fill_null(0))
    hidden = pl.sum_horizontal(pl.col(cells).is_null().cast(pl.Int64))
    hidden_youth = pl.sum_horizontal(pl.col(ages).is_null().cast(pl.Int64))
    per_cell = ((pl.col("jz_totaal") - published) / hidden).clip(0, SUPPRESSED_MAX)
    estimate = pl.sum_horizontal(pl.col(ages).fill_null(0)) + (per_cell * hidden_youth).round(0)
    return rows.with_columns(
        pl.when(hidden_youth == 0)
        .then(pl.sum_horizontal(ages))
        .otherwise(estimate.cast(pl.Int64))
        .alias("jz_0_18"),
        (hidden_youth > 0).alias("jz_0_18_estimated"),
    )


def to_2024(
    rows: pl.DataFrame, columns: list[str], gemeenten: pl.DataFrame, crosswalk: pl.DataFrame
) -> pl.DataFrame:
    """Counts of own-year gemeenten (`code`, `year`) summed to 2024 gemeenten.

    A 2024 value is null when any predecessor's is null (never built from only some of them), and
    `<column>_estimated` flags (if present) are carried with `any`. Only full mergers are allowed.
    """
    resolved = resolve_codes(rows["code"], gemeenten, crosswalk)
    split = resolved.filter(pl.col("share") != 1.0)
    if split.height:
        raise ValueError(
            f"gemeente {split['old_code'][0]} was split after this year: its counts cannot be "
            "mapped to 2024 gemeenten exactly"
        )
    flags = [c for c in rows.columns if c.endswith("_estimated")]
    return (
        rows.join(resolved, left_on="code", right_on="old_code")
        .group_by("gm_code", "year")
        .agg(
            *(
                pl.when(pl.col(c).is_null().any()).then(None).otherwise(pl.col(c).sum()).alias(c)
                for c in columns
            ),
            *(pl.col(f).any() for f in flags),
            pl.col("code").sort().alias("parts"),
        )
        .rename({"gm_code": "gemeente_code"})
        .sort("gemeente_code", "year")
    )


def _long(
    counts: pl.DataFrame,
    indicator: str,
    numerators: dict[str, str],
    denominator: pl.Expr,
    *,
    source: pl.Expr,
    estimate: pl.Expr,
) -> pl.DataFrame:
    """One indicators-table row per gemeente × year × breakdown (rows without a count dropped)."""
    return pl.concat(
        counts.select(
            pl.lit(indicator).alias("indicator"),
            "gemeente_code",
            pl.col("year").cast(pl.Int32),
            pl.lit(breakdown).alias("breakdown"),
            pl.col(column).alias("numerator"),
            denominator.alias("denominator"),
            source.alias("source"),
            pl.lit(False).alias("is_simulated"),
            estimate.alias("is_estimate"),
        )
        for breakdown, column in numerators.items()
    ).filter(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null())


def jeugdzorg_rows(counts: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    """Indicator rows from jeugdzorg in natura on 2024 gemeenten: by age (0-18), household, verwijzer.

    Ages use the estimated youth population of the year as denominator (so `is_estimate`); the
    household and verwijzer shares divide CBS counts by CBS totals (clients, trajectories).
    """
    pop = population.pivot(on="age_group", index=["gemeente_code", "year"], values="population")
    joined = counts.join(pop, on=["gemeente_code", "year"], how="left")
    source = pl.format("CBS {}, {}", pl.col("year").replace_strict(JZ_TABLES), pl.col("year"))
    youth = pl.sum_horizontal(YOUTH)
    by_age = pl.concat(
        [
            _long(joined, "jeugdzorg", {"all": "jz_0_18"}, youth, source=source,
                  estimate=pl.lit(True)),
            *(
                _long(joined, "jeugdzorg", {b: col}, pl.col(b.removeprefix("age=")),
                      source=source, estimate=pl.lit(True))
                for b, col in AGE_COLUMNS.items()
            ),
        ]
    )  # fmt: skip
    households = _long(joined, "jeugdzorg_huishouden", HOUSEHOLD_COLUMNS, pl.col("jz_totaal"),
                       source=source, estimate=pl.lit(False))  # fmt: skip
    referrers = _long(joined, "jeugdzorg_verwijzer", REFERRER_COLUMNS, pl.col("traj_totaal"),
                      source=source, estimate=pl.lit(False))  # fmt: skip
    return pl.concat([by_age, households, referrers])


def read_percentages(path: Path) -> pl.DataFrame:
    """85098NED (StatLine export, names) → own code (2022 boundaries) and the four percentages."""
    frame = statline.read_export(path)
    parsed = statline.numbers(frame, PCT_COLUMNS, path)
    periods = parsed.filter(pl.col(statline.PERIOD).str.strip_chars("*") != str(PCT_YEAR))
    if periods.height:
        r = periods.row(0, named=True)
        raise statline.StatlineError(
            f"{path}: column '{statline.PERIOD}', row {r['__row']}: expected {PCT_YEAR}"
        )
    rows = statline.gemeente_rows(parsed, list(PCT_COLUMNS.values()), path)
    return rows.select(pl.col("own_code").alias("code"), *PCT_COLUMNS.values())


def percentage_rows(
    pct: pl.DataFrame,
    own_population: pl.DataFrame,
    gemeenten: pl.DataFrame,
    crosswalk: pl.DataFrame,
) -> pl.DataFrame:
    """Counts from 85098NED percentages, computed per own 2022 gemeente, then summed to 2024.

    `own_population` has code, age_group, population for 2022 (own boundaries, estimated).
    """
    pop = own_population.pivot(on="age_group", index="code", values="population")
    joined = pct.join(pop, on="code", how="left")
    youth = pl.sum_horizontal(YOUTH)
    older = pl.col("12-18") + pl.col("18-23")

    def share(p: str, den: pl.Expr) -> pl.Expr:
        return (pl.col(p) / 100 * den).round(0).cast(pl.Int64)

    counts = joined.with_columns(
        youth.round(0).cast(pl.Int64).alias("youth"),
        older.round(0).cast(pl.Int64).alias("youth_12_23"),
        share("pct_jeugdhulp", youth).alias("jeugdhulp"),
        share("pct_jeugdbescherming", youth).alias("jeugdbescherming"),
        share("pct_jeugdreclassering", older).alias("jeugdreclassering"),
    ).with_columns(share("pct_verblijf", pl.col("jeugdhulp")).alias("jeugdhulp_verblijf"))
    columns = ["youth", "youth_12_23", "jeugdhulp", "jeugdbescherming", "jeugdreclassering",
               "jeugdhulp_verblijf"]  # fmt: skip
    summed = to_2024(counts.with_columns(year=pl.lit(PCT_YEAR, pl.Int32)), columns, gemeenten,
                     crosswalk)  # fmt: skip
    parts = {
        "jeugdhulp": ("youth", "jongeren 0-18 jaar"),
        "jeugdbescherming": ("youth", "jongeren 0-18 jaar"),
        "jeugdreclassering": ("youth_12_23", "jongeren 12-23 jaar"),
        "jeugdhulp_verblijf": ("jeugdhulp", "jongeren met jeugdhulp"),
    }
    return pl.concat(
        _long(summed, indicator, {"all": indicator}, pl.col(den),
              source=pl.lit(PCT_SOURCE.format(den=label)), estimate=pl.lit(True))
        for indicator, (den, label) in parts.items()
    )  # fmt: skip


def national_rows(nl: dict, population: pl.DataFrame, year: int) -> pl.DataFrame:
    """CBS's own national figures of one year (the `Nederland` row), in the `national` schema.

    The national value is CBS's published total, not a sum of rounded and partly suppressed
    gemeente counts (which overstates sparse categories such as 'verwijzer onbekend'). Youth
    denominators are the estimated population summed over all gemeenten.
    """
    pop = population.filter(pl.col("year") == year)
    youth = {a: int(pop.filter(pl.col("age_group") == a)["population"].sum()) for a in YOUTH}
    counts = dict(nl)
    counts["jz_0_18"] = sum(counts[c] for c in AGE_COLUMNS.values())
    source = f"{jz_source(year)} (Nederland)"
    rows = [("jeugdzorg", "all", counts["jz_0_18"], sum(youth.values()), True)]
    rows += [
        ("jeugdzorg", b, counts[c], youth[b.removeprefix("age=")], True)
        for b, c in AGE_COLUMNS.items()
    ]
    rows += [("jeugdzorg_huishouden", b, counts[c], counts["jz_totaal"], False)
             for b, c in HOUSEHOLD_COLUMNS.items()]  # fmt: skip
    rows += [("jeugdzorg_verwijzer", b, counts[c], counts["traj_totaal"], False)
             for b, c in REFERRER_COLUMNS.items()]  # fmt: skip
    return pl.DataFrame(
        [
            {
                "indicator": i,
                "year": year,
                "breakdown": b,
                "numerator": num,
                "denominator": den,
                "source": source,
                "is_simulated": False,
                "is_estimate": est,
            }
            for i, b, num, den, est in rows
        ],
        schema=SCHEMAS["national"],
    )
