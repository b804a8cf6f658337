"""Section "Verwacht en werkelijk jeugdzorggebruik".

For a region: actual against expected use per care form (ratio with interval), one ventile chart
per care form with the region's bar highlighted, and how good the model is and what it rests on.
The real CBS forms of 2022 come first (badge "CBS, 2022"); the seven simulated zorgvormen follow,
flagged. A gemeente also gets its wijken (actual − expected per wijk on the map, ranked among all
wijken of NL in the same ventiles) and the benchmark strip with its comparable gemeenten. For
Nederland (or no region) it explains that NL is the reference and shows the model itself.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import model
from jeugdmonitor.analysis.stats import (
    MIN_COUNT,
    N_VENTILES,
    count_text,
    decimal_text,
    percent_text,
    rounded,
)
from jeugdmonitor.data.regions import NL_CODE, Region, get_region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import unavailable
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.present.sections.benchmark_strip import benchmark_figure
from jeugdmonitor.present.sections.common import LEVEL_PLURAL, md_escape, visible
from jeugdmonitor.present.sections.verwacht_common import (
    CAUTION,
    KEY,
    NL_TABLE_TEXT,
    NL_TEXT,
    OUTRO,
    SIMULATED_VENTILE,
    TITLE,
    VENTILE_SHORT,
    VENTILE_TEXT,
    _download,
    _download_forms,
    _figure,
    _form_index,
    _intro,
    _level_rows,
    _region_table,
    _rows,
    forms_by_kind,
)
from jeugdmonitor.present.sections.verwacht_model import (
    _coefficient_figure,
    _first_upper,
    _quality_figure,
)

# notebooks/expected_use.py imports these two from here
from jeugdmonitor.present.sections.verwacht_model import coefficients as coefficients
from jeugdmonitor.present.sections.verwacht_model import quality_table as quality_table
from jeugdmonitor.present.sections.verwacht_wijken import _wijk_figure

# ------------------------------------------------------------------------------- the figures


def _overview_figure(
    store: Store, region: Region, year: int, forms: list[model.CareForm], *, simulated: bool
) -> Figure:
    rows = _rows(store, region, year, forms)
    name = md_escape(region.display_name)
    signals = list(zip(rows["short"], rows["signal"], strict=True))
    higher = [short for short, signal in signals if signal == "hoger dan verwacht"]
    lower = [short for short, signal in signals if signal == "lager dan verwacht"]
    summary = []
    if higher:
        summary.append(f"hoger dan verwacht: {', '.join(higher).lower()}")
    if lower:
        summary.append(f"lager dan verwacht: {', '.join(lower).lower()}")
    found = (
        _first_upper("; ".join(summary)) + "."
        if summary
        else "Bij geen enkele vorm wijkt het gebruik duidelijk af van de verwachting."
    )
    missing: dict[str, list[str]] = {}
    for short, note, num in rows.select("short", "note", "numerator").iter_rows():
        if note and num is None:
            missing.setdefault(note, []).append(short.lower())
    if len(missing) == 1 and len(next(iter(missing.values()))) == rows.height:
        found = f"Voor {name} is er geen verwachting: {md_escape(next(iter(missing)))}."
    elif missing:
        found += "".join(
            f" Geen vergelijking voor {', '.join(shorts)}: "
            f"{md_escape(note.removeprefix('geen waarde: '))}."
            for note, shorts in missing.items()
        )
    what = "zorgvorm (gesimuleerd)" if simulated else "vorm van jeugdzorg"
    explanation = (
        f"Per {what} het werkelijke gebruik in {name} gedeeld door het verwachte gebruik. "
        f"1 betekent precies zoals verwacht; 1,2 betekent 20% meer dan verwacht. De lijn is het "
        f"95%-interval: ligt 1 erbuiten, dan is het verschil waarschijnlijk geen toeval. {found}"
    )
    title = (
        f"Zorgvormen (gesimuleerd): werkelijk gedeeld door verwacht, {region.display_name}"
        if simulated
        else f"Werkelijk gedeeld door verwacht jeugdzorggebruik, {region.display_name}"
    )
    return _figure(
        store,
        year,
        forms,
        simulated=simulated,
        key="verwacht_zorgvormen" if simulated else "verwacht_overzicht",
        title=title,
        explanation=explanation,
        chart=charts.ratio_chart(rows, region.display_name),
        table=_region_table(rows),
        download=_download_forms(store, forms, region.type, year),
        download_name=f"verwacht_werkelijk_{'zorgvormen_' if simulated else ''}{region.type}_{year}.csv",
    )


def _left_out(store: Store, form_key: str, region_type: str, year: int, v: model.Ventiles) -> str:
    """Which regions of the level the ventiles leave out (the same for every region)."""

    def compute() -> str:
        plural = LEVEL_PLURAL[region_type]
        left_out = []
        if v.n_suppressed:
            left_out.append(f"{v.n_suppressed} met een aantal kleiner dan {MIN_COUNT}")
        if v.n_no_value:
            left_out.append(f"{v.n_no_value} zonder cijfer of verwachting")
        text = f" Niet meegeteld: {' en '.join(left_out)}." if left_out else ""
        if v.bars.height < N_VENTILES:
            text += f" Er zijn maar {v.n_regions} {plural}, dus elke staaf is één regio."
        return text

    return store.cached(("verwacht_left_out", form_key, region_type, year), compute)


def _form_figure(
    store: Store, region: Region, form: model.CareForm, year: int, *, first: bool = False
) -> Figure:
    """One care form's ventile figure. The first one of the section says in full how to read
    a ventile chart; the others in one sentence (a page of twelve identical paragraphs helps no
    reader, and every distinct text costs a markdown render)."""
    row = _level_rows(store, region.type, year)[region.code].row(
        _form_index(store)[form.key], named=True
    )
    v = model.ventiles(store, form.key, region.code, year)
    name = md_escape(region.display_name)
    plural = LEVEL_PLURAL[region.type]
    groups = v.bars.height
    if v.region_group is not None:
        marker = f"De oranje staaf (groep {v.region_group} van {groups}) bevat {name}."
    else:
        marker = f"{name} is niet gemarkeerd: er is geen getoond aantal of geen verwachting."
    if row["numerator"] is None and row["note"]:
        numbers = (
            f"Voor {name} is er geen vergelijking: "
            f"{md_escape(row['note'].removeprefix('geen waarde: '))}."
        )
    elif row["suppressed"]:
        numbers = (
            f"In {name} gaat het om minder dan {MIN_COUNT} {form.population}; dat aantal en het "
            f"percentage tonen we niet. Verwacht: {percent_text(row['expected_rate'])}."
        )
    else:
        verdict = row["signal"] or "niet duidelijk anders dan verwacht"
        numbers = (
            f"In {name} kreeg {percent_text(row['rate'])} van de {form.population} "
            f"(ongeveer {count_text(row['numerator'])}) {form.label.lower()}; verwacht was "
            f"{percent_text(row['expected_rate'])} (ongeveer {count_text(row['expected'])}). "
            f"Werkelijk / verwacht = {decimal_text(row['ratio'])} (95%-interval "
            f"{decimal_text(row['ratio_ci_low'])}–{decimal_text(row['ratio_ci_high'])}): {verdict}."
        )
        if row["note"]:
            numbers += f" Berekend over {md_escape(row['note'])}."
    left_out = _left_out(store, form.key, region.type, year, v)
    simulated = model.fit_form(store, form.key, year).simulated
    if first:
        how = VENTILE_TEXT.format(name=name, plural=plural, groups=groups, marker=marker)
        explanation = f"{numbers}\n\n{how}{left_out}"
    elif simulated:
        # the same text for every region of the level: the numbers of the simulated zorgvormen
        # are in the zorgvormen table above, the region's bar is orange in the chart
        explanation = SIMULATED_VENTILE.format(plural=plural, groups=groups) + left_out
    else:
        how = VENTILE_SHORT.format(plural=plural, groups=groups, marker=marker)
        explanation = f"{numbers}\n\n{how}{left_out}"
    base = store.cached(
        ("verwacht_ventile_table", form.key, region.type, year),
        lambda: v.bars.select(
            pl.col("group").alias("Groep"),
            pl.col("mean").round(3).alias("Gemiddeld verschil (procentpunt)"),
            pl.col("min").round(3).alias("Van"),
            pl.col("max").round(3).alias("Tot"),
            pl.col("n_regions").alias("Aantal regio's"),
        ),
    )
    table = base.with_columns(
        pl.Series(
            "Bevat",
            [region.display_name if g == v.region_group else "" for g in base["Groep"]],
            dtype=pl.String,
        )
    )
    return _figure(
        store,
        year,
        [form],
        simulated=simulated,
        key=f"verwacht_{form.key}",
        title=f"{form.label}: werkelijk min verwacht, {plural}",
        explanation=explanation,
        chart=charts.ventile_chart(v.bars, region.display_name, plural),
        table=table,
        download=_download(store, form.key, region.type, year),
        download_name=f"verwacht_{form.key}_{region.type}_{year}.csv",
    )


def _nl_figure(store: Store, year: int, forms: list[model.CareForm], *, simulated: bool) -> Figure:
    rows = _level_rows(store, "nederland", year)[NL_CODE].filter(
        pl.col("care_form").is_in([f.key for f in forms])
    )
    table = rows.select(
        pl.col("label").alias("Vorm"),
        rounded("numerator").alias("Werkelijk aantal"),
        (100 * pl.col("rate")).round(2).alias("Percentage"),
        rounded("expected").alias("Verwacht aantal"),
        rounded("denominator").alias("Noemer"),
        pl.col("note").fill_null("").alias("Toelichting"),
    )
    return _figure(
        store,
        year,
        forms,
        simulated=simulated,
        key="verwacht_nederland_zorgvormen" if simulated else "verwacht_nederland",
        title="Zorgvormen in Nederland (gesimuleerd)"
        if simulated
        else "Jeugdzorggebruik in Nederland: de referentie",
        explanation=NL_TABLE_TEXT,
        chart=None,
        table=table,
        download=_download_forms(store, forms, "nederland", year),
        download_name=f"verwacht_werkelijk_{'zorgvormen_' if simulated else ''}nederland_{year}.csv",
        download_label="Nederland per vorm",
    )


def section(
    store: Store,
    region: Region | str | None,
    year: int | None = None,
    *,
    assets: charts.Assets | None = None,
    peers: tuple[str, ...] = (),
) -> Section:
    """The section for a region (code or `Region`); None or NL gives the NL reference view.

    `peers`: the user's own comparison gemeenten for the benchmark strip (`Choices.compare`)."""
    if isinstance(region, str):
        found = get_region(store, region)
        if found is None:
            raise KeyError(f"unknown region code {region!r}")
        region = found
    year = model.model_year(store, year)
    intro = _intro(store, year)
    real, simulated = forms_by_kind(store, year)
    if region is None or region.type == "nederland":
        figures = [_nl_figure(store, year, real, simulated=False)]
        if simulated:
            figures.append(_nl_figure(store, year, simulated, simulated=True))
        else:
            figures.append(_zorgvormen_note(store))
        figures += [_quality_figure(store, year), _coefficient_figure(store, None, year)]
        return Section(KEY, TITLE, intro + "\n\n" + NL_TEXT, figures, OUTRO)
    figures = [_overview_figure(store, region, year, real, simulated=False)]
    figures += [
        _form_figure(store, region, form, year, first=i == 0) for i, form in enumerate(real)
    ]
    if region.type == "gemeente":
        figures.append(_wijk_figure(store, region, year, assets))
        figures.append(benchmark_figure(store, region.code, "jeugdhulp", "all", year, peers=peers))
    if simulated:
        figures.append(_overview_figure(store, region, year, simulated, simulated=True))
        figures += [_form_figure(store, region, form, year) for form in simulated]
    else:
        figures.append(_zorgvormen_note(store))
    figures += [_quality_figure(store, year), _coefficient_figure(store, region, year)]
    return Section(KEY, TITLE, intro + "\n\n" + CAUTION, figures, OUTRO)


def _zorgvormen_note(store: Store) -> Figure:
    """Where the seven zorgvormen (no open source) would be: who holds them, how to import."""
    return unavailable.note_figure(
        store, "jeugdhulp_zorgvorm", key="verwacht_zorgvormen_bron", title="De zeven zorgvormen"
    )


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Registry entry point (same signature as the other sections): the model on real figures,
    plus the simulated zorgvormen when the user asked for them."""
    return section(visible(store, choices), region, assets=assets, peers=choices.compare)
