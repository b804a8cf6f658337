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

from jeugdmonitor.data.sources import kwb, statline
from jeugdmonitor.data.sources.population import AGE_GROUPS, YOUTH
from jeugdmonitor.data.store import COVERAGE_MIN, SCHEMAS

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
PARTLY_ESTIMATED = ", aantal deels geschat"  # in `source`: suppressed age cells filled in
ROUND_TO = 5  # CBS rounds every count it publishes to a multiple of 5


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
    the suppressed cells (youth ages and 18-22) hold together; it is spread evenly over them. The
    estimate is rounded to a multiple of 5, as CBS rounds every count it publishes, so the count
    shown (rounded to 5) is the count the percentage is computed from.
    """
    ages = list(AGE_COLUMNS.values())
    cells = [*ages, "jz_18_23"]
    published = pl.sum_horizontal(pl.col(cells).fill_null(0))
    hidden = pl.sum_horizontal(pl.col(cells).is_null().cast(pl.Int64))
    hidden_youth = pl.sum_horizontal(pl.col(ages).is_null().cast(pl.Int64))
    per_cell = ((pl.col("jz_totaal") - published) / hidden).clip(0, SUPPRESSED_MAX)
    estimate = pl.sum_horizontal(pl.col(ages).fill_null(0)) + per_cell * hidden_youth
    return rows.with_columns(
        pl.when(hidden_youth == 0)
        .then(pl.sum_horizontal(ages))
        .otherwise((estimate / ROUND_TO).round(0).cast(pl.Int64) * ROUND_TO)
        .alias("jz_0_18"),
        (hidden_youth > 0).alias("jz_0_18_estimated"),
    )


def own_counts(kwb_rows: pl.DataFrame, odata_2022: pl.DataFrame) -> pl.DataFrame:
    """Jeugdzorg in natura per gemeente on its own boundaries, 2021 (KWB file) and 2022 (OData),
    with the 0-17 total (`with_youth_total`)."""
    own_2021 = kwb.level(kwb_rows, "gemeente").filter(pl.col("year") == 2021)
    return with_youth_total(
        pl.concat(
            [
                own_2021.select("code", "year", *kwb.JZ_COLUMNS.values()),
                odata_2022.filter(pl.col("level") == "gemeente").drop("level"),
            ]
        )
    )


def part_names(gemeenten: pl.DataFrame, crosswalk: pl.DataFrame) -> dict[str, str]:
    """Own (former or current) gemeente code → name, to say which part of a merger is missing."""
    former = crosswalk.filter(pl.col("old_code").is_not_null()).select("old_code", "old_name")
    return dict(gemeenten.select("code", "name").iter_rows()) | dict(former.iter_rows())


def own_youth(split: pl.DataFrame) -> pl.DataFrame:
    """Youths per own gemeente (`code`), 2024 gemeente and year, per age group as columns
    (rounded to whole youths) plus `youth` (0-17) and `youth_12_23` (12-22)."""
    wide = (
        split.group_by(pl.col("old_code").alias("code"), "gemeente_code", "year", "age_group")
        .agg(pl.col("population").sort().sum().round(0).cast(pl.Int64))
        .pivot(on="age_group", index=["code", "gemeente_code", "year"], values="population")
    )
    return wide.with_columns(
        pl.sum_horizontal(YOUTH).alias("youth"),
        (pl.col("12-18") + pl.col("18-23")).alias("youth_12_23"),
    )


def _parts(
    frame: pl.DataFrame,
    indicator: str,
    numerators: dict[str, str],
    denominator: pl.Expr,
    *,
    estimated: pl.Expr | None = None,
    rate: pl.Expr | None = None,
) -> pl.DataFrame:
    """Long rows per own gemeente × year × breakdown (PART_COLUMNS); a null numerator is a
    suppressed (or unpublished) count, kept so the 2024 gemeente can say which part is missing."""
    return pl.concat(
        frame.select(
            pl.lit(indicator).alias("indicator"),
            pl.lit(breakdown).alias("breakdown"),
            "code",
            "gemeente_code",
            pl.col("year").cast(pl.Int32),
            pl.col(column).cast(pl.Int64).alias("numerator"),
            denominator.cast(pl.Int64).alias("denominator"),
            pl.col("youth").cast(pl.Int64),
            (pl.lit(False) if estimated is None else estimated).alias("estimated"),
            (pl.lit(None, pl.Float64) if rate is None else rate).alias("published_rate"),
        )
        for breakdown, column in numerators.items()
    )


def jeugdzorg_parts(own: pl.DataFrame, youth: pl.DataFrame) -> pl.DataFrame:
    """Part rows from jeugdzorg in natura: by age (÷ estimated youths of the group), by household
    (÷ clients 0-22) and by verwijzer (÷ the trajectories with a verwijzer: the verwijzer
    categories add up to the jeugdhulp trajectories; the total also holds jeugdbescherming and
    jeugdreclassering, which have no verwijzer)."""
    joined = own.join(youth, on=["code", "year"], how="left")
    with_referrer = pl.sum_horizontal(pl.col(list(REFERRER_COLUMNS.values())).fill_null(0))
    return pl.concat(
        [
            _parts(joined, "jeugdzorg", {"all": "jz_0_18"}, pl.col("youth"),
                   estimated=pl.col("jz_0_18_estimated")),
            *(
                _parts(joined, "jeugdzorg", {b: col}, pl.col(b.removeprefix("age=")))
                for b, col in AGE_COLUMNS.items()
            ),
            _parts(joined, "jeugdzorg_huishouden", HOUSEHOLD_COLUMNS, pl.col("jz_totaal")),
            _parts(joined, "jeugdzorg_verwijzer", REFERRER_COLUMNS, with_referrer),
        ]
    )  # fmt: skip


def combine_parts(parts: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Part rows summed to 2024 gemeenten with the coverage rule of regions.

    Counts of the parts *with* a value are summed (numerator and denominator alike); `coverage` is
    the share of the 2024 gemeente's youths (0-17) living in them (null when every part has one),
    and `note` names what is missing: 'zonder Weesp: < 10'. Below COVERAGE_MIN the row stays, but
    the app shows no value ('geen waarde: …'). A gemeente-year without any part with a value gets
    no row. `published_rate` is kept only where one part covers the value (its rate is the
    2024 value's rate).
    """
    has = pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()
    named = parts.with_columns(
        pl.col("code").replace_strict(names, default=pl.col("code")).alias("part_name")
    )
    keys = ["indicator", "gemeente_code", "year", "breakdown"]
    grouped = (
        named.group_by(keys)
        .agg(
            pl.col("numerator").filter(has).sum(),
            pl.col("denominator").filter(has).sum(),
            has.sum().alias("n_with"),
            pl.len().alias("n_parts"),
            pl.col("estimated").filter(has).any(),
            pl.col("published_rate").filter(has).first(),
            (pl.col("youth").filter(has).sum() / pl.col("youth").sum()).alias("coverage"),
            pl.col("part_name").filter(~has).sort().alias("missing"),
        )
        .filter(pl.col("n_with") > 0)
    )
    share = (pl.col("coverage") * 100).floor().cast(pl.Int64)
    missing = pl.col("missing").list.join(" en ")
    each = pl.when(pl.col("missing").list.len() > 1).then(pl.lit(", elk")).otherwise(pl.lit(""))
    partial = pl.col("n_with") < pl.col("n_parts")
    return grouped.with_columns(
        pl.when(partial).then(pl.col("coverage")).alias("coverage"),
        pl.when(~partial)
        .then(None)
        .when(pl.col("coverage") >= COVERAGE_MIN)
        .then(pl.format("zonder {}: < 10{}", missing, each.str.replace(", elk", " elk")))
        .otherwise(
            pl.format(
                "geen waarde: {} onderdrukt (< 10{}); de andere delen hebben {}% van de jeugdigen",
                missing, each, share,
            )
        )
        .alias("note"),
        pl.when(pl.col("n_with") == 1).then(pl.col("published_rate")).alias("published_rate"),
    ).sort(keys)  # fmt: skip


def indicator_rows(combined: pl.DataFrame, source: pl.Expr, estimate: pl.Expr) -> pl.DataFrame:
    """`combine_parts` rows in the indicators schema."""
    return combined.select(
        "indicator",
        "gemeente_code",
        pl.col("year").cast(pl.Int32),
        "breakdown",
        "numerator",
        "denominator",
        source.alias("source"),
        pl.lit(False).alias("is_simulated"),
        estimate.alias("is_estimate"),
        "published_rate",
        "coverage",
        "note",
    )


def jeugdzorg_rows(parts: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Indicator rows from jeugdzorg in natura on 2024 gemeenten: by age (0-18), household, verwijzer.

    Ages use the estimated youth population of the year as denominator (so `is_estimate`); the
    household and verwijzer shares divide CBS counts by CBS totals. A 0-17 count with suppressed
    age cells filled in says 'aantal deels geschat' in its source.
    """
    table = pl.format("CBS {}, {}", pl.col("year").replace_strict(JZ_TABLES), pl.col("year"))
    source = pl.when(pl.col("estimated")).then(table + pl.lit(PARTLY_ESTIMATED)).otherwise(table)
    return indicator_rows(combine_parts(parts, names), source, pl.col("indicator") == "jeugdzorg")


def read_percentages(path: Path) -> pl.DataFrame:
    """85098NED (StatLine export, names) → own code (2022 boundaries) and the four percentages."""
    frame = statline.read_export(path)
    parsed = statline.numbers(frame, PCT_COLUMNS, path)
    _check_period(parsed, path)
    rows = statline.gemeente_rows(parsed, list(PCT_COLUMNS.values()), path)
    return rows.select(pl.col("own_code").alias("code"), *PCT_COLUMNS.values())


def read_national_percentages(path: Path) -> dict[str, float | None]:
    """85098NED's own `Nederland` row: the four percentages as CBS published them."""
    parsed = statline.numbers(statline.read_export(path), PCT_COLUMNS, path)
    _check_period(parsed, path)
    row = statline.national_row(parsed, path)
    return {c: row[c] for c in PCT_COLUMNS.values()}


def _check_period(parsed: pl.DataFrame, path: Path) -> None:
    periods = parsed.filter(pl.col(statline.PERIOD).str.strip_chars("*") != str(PCT_YEAR))
    if periods.height:
        r = periods.row(0, named=True)
        raise statline.StatlineError(
            f"{path}: column '{statline.PERIOD}', row {r['__row']}: expected {PCT_YEAR}"
        )


# indicator → (percentage column, denominator column, Dutch name of the denominator)
PCT_PARTS = {
    "jeugdhulp": ("pct_jeugdhulp", "youth", "jongeren 0-18 jaar"),
    "jeugdbescherming": ("pct_jeugdbescherming", "youth", "jongeren 0-18 jaar"),
    "jeugdreclassering": ("pct_jeugdreclassering", "youth_12_23", "jongeren 12-23 jaar"),
    "jeugdhulp_verblijf": ("pct_verblijf", "jeugdhulp", "jongeren met jeugdhulp"),
}


def derived_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts from 85098NED percentages: percentage × the CBS denominator, rounded to a youth.

    `frame` has the four `pct_*` columns and `youth`, `youth_12_23`; jeugdhulp met verblijf is a
    share of the (derived) jeugdhulp count.
    """

    def share(p: str, den: str) -> pl.Expr:
        return (pl.col(p) / 100 * pl.col(den)).round(0).cast(pl.Int64)

    first = {k: v for k, v in PCT_PARTS.items() if v[1] != "jeugdhulp"}
    counts = frame.with_columns(share(p, den).alias(ind) for ind, (p, den, _) in first.items())
    p, den, _ = PCT_PARTS["jeugdhulp_verblijf"]
    return counts.with_columns(share(p, den).alias("jeugdhulp_verblijf"))


def percentage_parts(pct: pl.DataFrame, youth: pl.DataFrame) -> pl.DataFrame:
    """Part rows from 85098NED: each percentage × the CBS denominator on the own 2022 gemeente."""
    joined = derived_counts(
        pct.join(youth.filter(pl.col("year") == PCT_YEAR), on="code", how="left")
    )
    return pl.concat(
        _parts(
            joined, indicator, {"all": indicator}, pl.col(den), estimated=pl.lit(True),
            rate=pl.col(p) / 100,
        )
        for indicator, (p, den, _) in PCT_PARTS.items()
    )  # fmt: skip


def percentage_rows(parts: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Indicator rows from `percentage_parts`, summed to 2024 gemeenten, `source` naming the
    derivation (count = percentage × denominator) and the published percentage kept."""
    labels = {ind: PCT_SOURCE.format(den=label) for ind, (_, _, label) in PCT_PARTS.items()}
    return indicator_rows(
        combine_parts(parts, names), pl.col("indicator").replace_strict(labels), pl.lit(True)
    )


def national_rows(
    nl: dict, population: pl.DataFrame, year: int, pct: dict[str, float | None]
) -> pl.DataFrame:
    """CBS's own national figures of one year (the `Nederland` rows), in the `national` schema.

    The national value is CBS's published total, not a sum of rounded and partly suppressed
    gemeente counts (which overstates sparse categories such as 'verwijzer onbekend'). Youth
    denominators are the estimated population summed over all gemeenten. `pct` holds 85098NED's
    national percentages: counts derived like the gemeenten's, with the percentage kept.
    """
    pop = population.filter(pl.col("year") == year)
    youth = {a: int(pop.filter(pl.col("age_group") == a)["population"].sum()) for a in AGE_GROUPS}
    counts = dict(nl)
    counts["jz_0_18"] = sum(counts[c] for c in AGE_COLUMNS.values())
    source = f"{jz_source(year)} (Nederland)"
    with_referrer = sum(counts[c] for c in REFERRER_COLUMNS.values())
    rows = [("jeugdzorg", "all", counts["jz_0_18"], sum(youth[a] for a in YOUTH), True, None)]
    rows += [
        ("jeugdzorg", b, counts[c], youth[b.removeprefix("age=")], True, None)
        for b, c in AGE_COLUMNS.items()
    ]
    rows += [("jeugdzorg_huishouden", b, counts[c], counts["jz_totaal"], False, None)
             for b, c in HOUSEHOLD_COLUMNS.items()]  # fmt: skip
    rows += [("jeugdzorg_verwijzer", b, counts[c], with_referrer, False, None)
             for b, c in REFERRER_COLUMNS.items()]  # fmt: skip
    frame = [{"indicator": i, "breakdown": b, "numerator": num, "denominator": den,
              "source": source, "is_estimate": est, "published_rate": rate}
             for i, b, num, den, est, rate in rows]  # fmt: skip
    if year == PCT_YEAR:
        totals = pl.DataFrame(
            {**{c: [v] for c, v in pct.items()},
             "youth": [sum(youth[a] for a in YOUTH)], "youth_12_23": [youth["12-18"] + youth["18-23"]]},
            schema={**dict.fromkeys(pct, pl.Float64), "youth": pl.Int64, "youth_12_23": pl.Int64},
        )  # fmt: skip
        derived = (
            derived_counts(totals).with_columns(jeugdhulp_den=pl.col("youth")).row(0, named=True)
        )
        for indicator, (p, den, label) in PCT_PARTS.items():
            if pct[p] is None:
                continue
            frame.append({
                "indicator": indicator, "breakdown": "all", "numerator": derived[indicator],
                "denominator": derived[den], "source": f"{PCT_SOURCE.format(den=label)} (Nederland)",
                "is_estimate": True, "published_rate": pct[p] / 100,
            })  # fmt: skip
    return pl.DataFrame(
        [{**r, "year": year, "is_simulated": False, "coverage": None, "note": None} for r in frame],
        schema=SCHEMAS["national"],
    ).sort("indicator", "breakdown")
