"""Data for the notebook's views, computed from the published (suppressed) tables only.

Nothing here touches microdata, so whatever the notebook shows has already passed suppression.
Counts are rounded to 5 for display (DESIGN §6); rates stay as computed from the exact counts.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis.linkage.codes import codes, labels
from jeugdmonitor.analysis.stats import count_text, decimal_text, rounded


def year_labels(column: str = "schooljaar") -> pl.Expr:
    """'2023/24' for school year 2023, '2008/09' for 2008: `year_label` as an expression."""
    year = pl.col(column)
    return pl.format("{}/{}", year, ((year + 1) % 100).cast(pl.String).str.zfill(2))


YEAR_LABEL = year_labels()


def year_label(year: int) -> str:
    """'2023/24' for school year 2023."""
    return f"{year}/{(year + 1) % 100:02d}"


def type_order() -> pl.Expr:
    """Position of the onderwijssoort in the code list (po, sbo, so, vo, vso, pro, mbo)."""
    order = {code: i for i, code in enumerate(codes("onderwijssoort"))}
    return pl.col("onderwijssoort").replace_strict(order, default=len(order))


def type_label() -> pl.Expr:
    """Dutch name of the onderwijssoort."""
    return pl.col("onderwijssoort").replace_strict(labels("onderwijssoort"), default=None)


def type_trend(kern: pl.DataFrame) -> pl.DataFrame:
    """Grafiek 1 data: clients per 100 pupils per school type and school year."""
    return (
        kern.filter(pl.col("niveau") == "schooltype")
        .select(
            "schooljaar",
            YEAR_LABEL.alias("jaar"),
            "onderwijssoort",
            type_label().alias("schooltype"),
            "leerlingen",
            "clienten",
            "clienten_per_100",
        )
        .with_columns(rounded("leerlingen"), rounded("clienten"))
        .sort(type_order(), "schooljaar")
    )


def rejects_summary(rejects: pl.DataFrame) -> pl.DataFrame:
    """Rejected rows per file and check, with the number of rows and the first row as example."""
    return (
        rejects.group_by("bestand", "kolom", "controle")
        .agg(
            pl.len().alias("rijen"),
            pl.col("rij").min().alias("eerste rij"),
            pl.col("reden").first(),
        )
        .with_columns(pl.col("bestand").str.split("/").list.last())
        .sort("bestand", "rijen", descending=[False, True])
    )


def coverage_table(coverage: pl.DataFrame) -> pl.DataFrame:
    """Linked trajectory-years per school year, as counts rounded to 5 and a percentage."""
    return coverage.select(
        YEAR_LABEL.alias("schooljaar"),
        ((100 * pl.col("gekoppeld") / pl.col("trajecten")).round(1)).alias("gekoppeld (%)"),
        rounded("trajecten"),
        rounded("gekoppeld"),
    )


def flags_table(flags: pl.DataFrame) -> pl.DataFrame:
    """The school flags of Grafiek 2 as a Dutch display table."""
    yes_no = {True: "ja", False: "nee"}
    return flags.select(
        pl.col("schoolnaam").alias("school"),
        year_labels("laatste_jaar").alias("laatste jaar"),
        pl.col("laatste_per_100").round(1).alias("per 100 leerlingen"),
        pl.col("helling").round(1).alias("trend per jaar"),
        pl.col("boven_drempel").replace_strict(yes_no).alias("boven drempel"),
        pl.col("stijgend").replace_strict(yes_no).alias("stijgend"),
    )


def largest_school(kern: pl.DataFrame, soort: str) -> str:
    """The school with the most pupils in the latest year (a sensible default choice)."""
    rows = kern.filter(pl.col("niveau") == "school", pl.col("onderwijssoort") == soort)
    latest = rows.filter(pl.col("schooljaar") == rows["schooljaar"].max())
    return latest.sort("leerlingen", "school_id", descending=[True, False], nulls_last=True).item(
        0, "school_id"
    )


def school_flags(
    kern: pl.DataFrame, soort: str, threshold: float, min_slope: float
) -> pl.DataFrame:
    """Per school of one type: latest published rate, trend slope and the two flags of Grafiek 2.

    `boven_drempel`: the latest published rate exceeds `threshold` per 100 pupils.
    `stijgend`: least-squares slope over at least three published years >= `min_slope` per year.
    """
    rows = kern.filter(
        pl.col("niveau") == "school",
        pl.col("onderwijssoort") == soort,
        pl.col("clienten_per_100").is_not_null(),
    )
    x, y = pl.col("schooljaar").cast(pl.Float64), pl.col("clienten_per_100")
    slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    return (
        rows.sort("schooljaar")
        .group_by("school_id", "schoolnaam")
        .agg(
            pl.len().alias("jaren"),
            pl.col("schooljaar").last().alias("laatste_jaar"),
            y.last().alias("laatste_per_100"),
            pl.when(pl.len() >= 2).then(slope).fill_nan(None).alias("helling"),
        )
        .with_columns(
            (pl.col("laatste_per_100") > threshold).alias("boven_drempel"),
            ((pl.col("jaren") >= 3) & (pl.col("helling") >= min_slope))
            .fill_null(False)
            .alias("stijgend"),
        )
        .sort("laatste_per_100", descending=True)
    )


def school_trend(kern: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """Grafiek 2 data: the trend per school of one type, with each school's flags and status."""
    status = (
        pl.when(pl.col("stijgend") & pl.col("boven_drempel"))
        .then(pl.lit("stijgend en boven drempel"))
        .when(pl.col("stijgend"))
        .then(pl.lit("stijgend"))
        .when(pl.col("boven_drempel"))
        .then(pl.lit("boven drempel"))
        .otherwise(pl.lit("overige scholen"))
    )
    return (
        kern.filter(pl.col("niveau") == "school")
        .join(flags.select("school_id", "boven_drempel", "stijgend", "helling"), on="school_id")
        .select(
            "schooljaar",
            YEAR_LABEL.alias("jaar"),
            "school_id",
            "schoolnaam",
            "leerlingen",
            "clienten",
            "clienten_per_100",
            "boven_drempel",
            "stijgend",
            "helling",
            status.alias("status"),
        )
        .with_columns(rounded("leerlingen"), rounded("clienten"))
        .sort("school_id", "schooljaar")
    )


def benchmark(kern: pl.DataFrame, school_id: str, year: int) -> pl.DataFrame:
    """All schools of the chosen school's type in one year, the chosen one marked, plus the type."""
    type_of = kern.filter(pl.col("school_id") == school_id).get_column("onderwijssoort")
    if type_of.is_empty():
        raise ValueError(f"onbekende school: {school_id}")
    soort = type_of[0]
    same = kern.filter(pl.col("onderwijssoort") == soort, pl.col("schooljaar") == year)
    return same.select(
        "niveau",
        "school_id",
        "schoolnaam",
        "leerlingen",
        "clienten",
        "clienten_per_100",
        (pl.col("school_id") == school_id).fill_null(False).alias("gekozen"),
    ).with_columns(rounded("leerlingen"), rounded("clienten"))


INDICATORS = (
    ("leerlingen", "Leerlingen", "aantal"),
    ("clienten", "Jeugdhulpcliënten", "aantal"),
    ("clienten_per_100", "Cliënten per 100 leerlingen", "per 100"),
    ("trajecten", "Lopende trajecten", "aantal"),
    ("nieuwe_trajecten", "Nieuwe trajecten (verwijzingen)", "aantal"),
    ("gem_leeftijd_verwijzing", "Gemiddelde leeftijd bij verwijzing", "jaar"),
    ("kosten", "Totale kosten", "euro"),
    ("kosten_per_client", "Gemiddelde kosten per cliënt", "euro"),
)


def indicator_table(kern: pl.DataFrame, school_id: str, year: int) -> pl.DataFrame:
    """The headline indicators of one school next to its school type (text, suppressed = '•')."""
    bench = kern.filter(pl.col("schooljaar") == year)
    school = bench.filter(pl.col("school_id") == school_id)
    if school.is_empty():
        raise ValueError(f"geen gegevens voor school {school_id} in {year_label(year)}")
    soort = school.item(0, "onderwijssoort")
    type_row = bench.filter(pl.col("niveau") == "schooltype", pl.col("onderwijssoort") == soort)
    rows = []
    for column, label, unit in INDICATORS:
        rows.append(
            {
                "indicator": label,
                "school": _show(school.item(0, column), unit),
                "alle scholen van dit type": _show(type_row.item(0, column), unit),
            }
        )
    return pl.DataFrame(rows)


def _show(value: float | None, unit: str) -> str:
    """Display text: '•' for suppressed, counts rounded to 5, euros without cents."""
    if value is None:
        return "• (onderdrukt)"
    if unit == "aantal":
        return count_text(value)
    if unit == "euro":
        return "€ " + f"{value:,.0f}".replace(",", ".")
    return decimal_text(value, 1)


def mix(verdelingen: pl.DataFrame, school_id: str, year: int, dimension: str) -> pl.DataFrame:
    """Shares per category for one school and for its school type (for the mix charts)."""
    rows = verdelingen.filter(pl.col("schooljaar") == year, pl.col("dimensie") == dimension)
    school = rows.filter(pl.col("school_id") == school_id)
    if school.is_empty():
        return school.with_columns(pl.lit("").alias("reeks"))
    soort = school.item(0, "onderwijssoort")
    typed = rows.filter(pl.col("niveau") == "schooltype", pl.col("onderwijssoort") == soort)
    return pl.concat(
        [
            school.with_columns(pl.lit("deze school").alias("reeks")),
            typed.with_columns(pl.lit("alle scholen van dit type").alias("reeks")),
        ]
    ).with_columns(
        pl.col("aandeel").is_null().alias("onderdrukt"), rounded("aantal"), rounded("basis")
    )


def schools_of(kern: pl.DataFrame, soort: str) -> dict[str, str]:
    """'Name (BRIN+vestiging)' → school id for the schools of one type, sorted by name."""
    rows = (
        kern.filter(pl.col("niveau") == "school", pl.col("onderwijssoort") == soort)
        .select("school_id", "schoolnaam")
        .unique("school_id")
        .sort("schoolnaam", "school_id")
    )
    return {f"{name} ({sid})": sid for sid, name in rows.iter_rows()}


def types_present(kern: pl.DataFrame) -> dict[str, str]:
    """Dutch school type name → code, for the types in the data (in code-list order)."""
    present = set(kern.get_column("onderwijssoort").unique().to_list())
    return {label: code for code, label in labels("onderwijssoort").items() if code in present}
