"""The expected-use model's inputs: the care forms, the predictors and their terms, and the
background frame per gemeente (`background`) with the years and sources it rests on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from jeugdmonitor.analysis.indicators import YOUTH_AGES
from jeugdmonitor.data.sources.context import wide

if TYPE_CHECKING:
    from jeugdmonitor.data.store import Store


@dataclass(frozen=True)
class CareForm:
    """One modelled care form: which indicator rows are its outcome, and its Dutch label."""

    key: str
    indicator: str
    breakdown: str
    label: str
    population: str = "jeugdigen"  # Dutch name of the denominator


CARE_FORMS: tuple[CareForm, ...] = (
    CareForm("jeugdzorg", "jeugdzorg", "all", "Jeugdzorg (totaal)"),
    CareForm("jeugdhulp", "jeugdhulp", "all", "Jeugdhulp"),
    CareForm(
        "jeugdhulp_verblijf",
        "jeugdhulp_verblijf",
        "all",
        "Jeugdhulp met verblijf",
        "jeugdigen met jeugdhulp",
    ),
    CareForm("jeugdbescherming", "jeugdbescherming", "all", "Jeugdbescherming"),
    CareForm(
        "jeugdreclassering",
        "jeugdreclassering",
        "all",
        "Jeugdreclassering (12-23)",
        "jongeren van 12 tot 23 jaar",
    ),
    CareForm(
        "lokaal_team",
        "jeugdhulp_zorgvorm",
        "zorgvorm=lokaal_team",
        "Ambulante jeugdhulp van het lokale team",
    ),
    CareForm("ambulant", "jeugdhulp_zorgvorm", "zorgvorm=ambulant", "Begeleiding thuis (ambulant)"),
    CareForm("pleegzorg", "jeugdhulp_zorgvorm", "zorgvorm=pleegzorg", "Pleegzorg"),
    CareForm("jeugdzorgplus", "jeugdhulp_zorgvorm", "zorgvorm=jeugdzorgplus", "Jeugdzorgplus"),
    CareForm(
        "instelling",
        "jeugdhulp_zorgvorm",
        "zorgvorm=instelling",
        "Hulp in een instelling voor jeugd- en opvoedhulp",
    ),
    CareForm("jeugd_ggz", "jeugdhulp_zorgvorm", "zorgvorm=jeugd_ggz", "Jeugd-ggz"),
    CareForm(
        "lvb",
        "jeugdhulp_zorgvorm",
        "zorgvorm=lvb",
        "Jeugdzorg bij een verstandelijke beperking",
    ),
)
FORMS = {f.key: f for f in CARE_FORMS}

# predictor → Dutch label (with the unit of its raw value)
PREDICTORS: dict[str, str] = {
    "laag_inkomen": "Huishoudens met een laag inkomen (%)",
    "sociaal_minimum": "Huishoudens rond het sociaal minimum (%)",
    "bijstand": "Bijstand (personen per 1.000 inwoners)",
    "huishoudens_met_kinderen": "Huishoudens met kinderen (%)",
    "stedelijkheid": "Stedelijkheid (ln adressen per km²)",
    "inkomen": "Inkomen (mediaan, × 1.000 euro)",
    "aandeel_12_18": "Aandeel 12-17-jarigen (%)",
}
LOGGED = frozenset({"laag_inkomen", "sociaal_minimum", "bijstand"})  # modelled as ln(1 + value)
# predictor → (context variables it needs, how it is computed from them)
CONTEXT_INPUTS: dict[str, tuple[tuple[str, ...], pl.Expr]] = {
    "laag_inkomen": (("pct_laag_inkomen",), pl.col("pct_laag_inkomen")),
    "sociaal_minimum": (("pct_sociaal_minimum",), pl.col("pct_sociaal_minimum")),
    "bijstand": (("bijstand", "inwoners"), 1000 * pl.col("bijstand") / pl.col("inwoners")),
    "huishoudens_met_kinderen": (
        ("huishoudens_met_kinderen", "huishoudens"),
        100 * pl.col("huishoudens_met_kinderen") / pl.col("huishoudens"),
    ),
    "stedelijkheid": (("adressendichtheid",), pl.col("adressendichtheid").log()),
    "inkomen": (
        ("inkomen_gestandaardiseerd_mediaan",),
        pl.col("inkomen_gestandaardiseerd_mediaan"),
    ),
}
POPULATION_SOURCE = "bevolking naar leeftijd (schatting uit CBS-leeftijdsgroepen)"
INTERCEPT = "const"


def model_term(name: str) -> pl.Expr:
    """The predictor as it enters the model: ln(1 + value) for LOGGED ones, else the value."""
    return (pl.col(name) + 1).log().alias(name) if name in LOGGED else pl.col(name)


def term_label(name: str) -> str:
    """The Dutch label of a model term (says when the model uses the log)."""
    label = PREDICTORS[name]
    return f"{label[:-1]}, log)" if name in LOGGED else label


# ------------------------------------------------------------------------------- the background


def care_forms(store: Store) -> tuple[CareForm, ...]:
    """The care forms whose outcome the store holds, in CARE_FORMS order: the zorgvormen have no
    open source, so without simulated (or imported) rows only the real CBS forms are modelled."""

    def compute() -> tuple[CareForm, ...]:
        present = set(store.indicators.select("indicator", "breakdown").unique().iter_rows())
        return tuple(f for f in CARE_FORMS if (f.indicator, f.breakdown) in present)

    return store.cached("model_care_forms", compute)


def model_year(store: Store, year: int | None = None) -> int:
    """The year to model: the given one, else the latest year with every care form's outcome."""
    needed = [(f.indicator, f.breakdown) for f in care_forms(store)]

    def compute() -> int:
        have = (
            store.indicators.filter(
                pl.struct("indicator", "breakdown").is_in(
                    pl.DataFrame(needed, schema=["indicator", "breakdown"], orient="row")
                    .to_struct()
                    .implode()
                )
            )
            .group_by("year")
            .agg(pl.struct("indicator", "breakdown").n_unique().alias("n"))
            .filter(pl.col("n") == len(needed))
        )
        if not have.height:
            raise ValueError("no year has the outcome of every care form of the expected-use model")
        return int(have["year"].max())

    return year if year is not None else store.cached("model_year", compute)


def predictor_years(store: Store, year: int | None = None) -> dict[str, int | None]:
    """Predictor → the context year it is taken from: the latest year up to the model year in
    which every input variable exists, else the earliest later one (income: 2024); None if none."""
    year = model_year(store, year)

    def compute() -> dict[str, int | None]:
        have = store.context.group_by("variable").agg(pl.col("year").unique().sort()).rows()
        years = {variable: set(ys) for variable, ys in have}
        out: dict[str, int | None] = {}
        for name, (inputs, _) in CONTEXT_INPUTS.items():
            common = sorted(set.intersection(*(years.get(v, set()) for v in inputs)))
            before = [y for y in common if y <= year]
            out[name] = before[-1] if before else (common[0] if common else None)
        return out

    return store.cached(("predictor_years", year), compute)


def predictor_sources(store: Store, year: int | None = None) -> list[str]:
    """The distinct sources of the predictors (context `source` of the years used), sorted."""
    year = model_year(store, year)

    def compute() -> list[str]:
        used = predictor_years(store, year)
        wanted = pl.DataFrame(
            [(v, y) for name, y in used.items() if y is not None for v in CONTEXT_INPUTS[name][0]],
            schema={"variable": pl.String, "year": pl.Int32},
            orient="row",
        )
        found = store.context.join(wanted, on=["variable", "year"])["source"].unique().to_list()
        # 'KWB 2021' and 'KWB 2022' → 'KWB 2021 en 2022'
        by_title: dict[str, list[str]] = {}
        for text in sorted(found):
            title, _, year_text = text.rpartition(" ")
            if title and year_text.isdigit():
                by_title.setdefault(title, []).append(year_text)
            else:
                by_title.setdefault(text, [])
        merged = [
            f"{title} {' en '.join(years)}" if years else title for title, years in by_title.items()
        ]
        return [*merged, POPULATION_SOURCE]

    return store.cached(("predictor_sources", year), compute)


def background(store: Store, year: int | None = None) -> pl.DataFrame:
    """Per gemeente: name, youths (0-17), and the raw predictor values (null where CBS has none)."""
    year = model_year(store, year)

    def compute() -> pl.DataFrame:
        frame = store.regions.filter(pl.col("type") == "gemeente").select(
            pl.col("code").alias("gemeente_code"), "name"
        )
        for name, context_year in predictor_years(store, year).items():
            inputs, formula = CONTEXT_INPUTS[name]
            if context_year is None:
                frame = frame.with_columns(pl.lit(None, pl.Float64).alias(name))
                continue
            values = wide(store.context, context_year, list(inputs))
            part = values.select(
                "gemeente_code",
                (formula if set(inputs) <= set(values.columns) else pl.lit(None, pl.Float64))
                .cast(pl.Float64)
                .alias(name),
            )
            frame = frame.join(part, on="gemeente_code", how="left")
        years = store.population["year"]
        pop_year = min(max(year, int(years.min())), int(years.max()))
        pop = (
            store.population.filter(
                (pl.col("year") == pop_year) & pl.col("age_group").is_in(YOUTH_AGES)
            )
            .group_by("gemeente_code")
            .agg(
                pl.col("population").sum().alias("youths"),
                (
                    100
                    * pl.col("population").filter(pl.col("age_group") == "12-18").sum()
                    / pl.col("population").sum()
                ).alias("aandeel_12_18"),
            )
        )
        return (
            frame.join(pop, on="gemeente_code", how="left")
            .with_columns(
                # infinite (ln 0) or NaN values are no values
                pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c)
                for c in PREDICTORS
            )
            .select("gemeente_code", "name", "youths", *PREDICTORS)
            .sort("gemeente_code")
        )

    return store.cached(("model_background", year), compute)


def usable_predictors(frame: pl.DataFrame) -> tuple[list[str], dict[str, str]]:
    """The predictors to use and, for each dropped one, the (Dutch) reason it was dropped."""
    used, dropped = [], {}
    for name in PREDICTORS:
        if name not in frame.columns or frame[name].null_count() == frame.height:
            dropped[name] = "niet beschikbaar in de data"
        elif (frame[name].std() or 0.0) <= 1e-9 * max(abs(frame[name].mean() or 0.0), 1.0):
            dropped[name] = "varieert niet tussen gemeenten"
        else:
            used.append(name)
    return used, dropped
