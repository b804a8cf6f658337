"""What a page shows where no real figure exists: a "Geen open bron" note and a template.

Simulated figures are off by default (`Choices.include_simulated`). An indicator without real
rows then shows, instead of its figures, a note naming who holds the real figure and what it
costs to get (`reference/no_open_source.csv`), and how to bring your own figures in with
`jeugdmonitor import` using the template shipped for it (`jeugdmonitor/templates/<indicator>.csv`).
Once imported, the figures show as real, with the gemeente's own source.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import polars as pl

from jeugdmonitor.data.files import reference_csv
from jeugdmonitor.data.sources.csv_import import LONG_COLUMNS
from jeugdmonitor.data.store import SCHEMAS, Store
from jeugdmonitor.present.sections.base import Figure
from jeugdmonitor.present.sections.common import screen_or_paper

TEMPLATE_YEAR = 2024  # the year a filled-in template usually holds (change it in the file)
PLACEHOLDER = "GM0000"  # replaced by the gemeente's own code
NOTE_SOURCE = "Bron en jaar data: niet in de meegeleverde bestanden (zie de toelichting)."
KINDS = {"geen open bron": "Geen open bron", "niet meegeleverd": "Niet meegeleverd"}


def notes() -> dict[str, dict[str, str]]:
    """Indicator → its note (kind, who holds the figure, what it costs)."""
    frame = reference_csv("no_open_source")
    return {r["indicator"]: r for r in frame.iter_rows(named=True)}


def template_path(indicator: str) -> Path:
    """The template CSV shipped in the package for an indicator."""
    return Path(str(resources.files("jeugdmonitor") / "templates" / f"{indicator}.csv"))


def template_frame(indicator: str) -> pl.DataFrame:
    """The import template of an indicator: one row per breakdown (long format), the gemeente
    code a placeholder and the counts empty."""
    return pl.DataFrame(
        {
            "indicator": indicator,
            "gemeente_code": PLACEHOLDER,
            "year": TEMPLATE_YEAR,
            "breakdown": notes()[indicator]["breakdowns"].split("|"),
            "numerator": None,
            "denominator": None,
            "source": None,
        },
        schema=TEMPLATE_SCHEMA,
    )


# the long import format's columns, typed as in `indicators`
TEMPLATE_SCHEMA = {c: SCHEMAS["indicators"][c] for c in LONG_COLUMNS}


def template_text(indicator: str) -> str:
    """The template as the CSV text `jeugdmonitor import` reads (comma-separated, UTF-8)."""
    return template_frame(indicator).write_csv()


def has_rows(store: Store, indicator: str) -> bool:
    """True when the store holds rows of the indicator (real ones only, on the default page)."""
    present = store.cached(
        "indicators_present", lambda: set(store.indicators["indicator"].unique().to_list())
    )
    return indicator in present


def note_figure(store: Store, indicator: str, *, key: str, title: str) -> Figure:
    """The note that replaces an indicator's figures: who holds the real figure, what it costs,
    and how to import your own with the shipped template (a table shows its rows)."""
    note = notes()[indicator]
    name = f"{indicator}.csv"
    labels = store.breakdowns.select("breakdown", "label_nl")
    steps = (
        f"vul het sjabloon `jeugdmonitor/templates/{name}` in (in de "
        f"map van het programma; de rijen staan hieronder): vervang `{PLACEHOLDER}` door uw "
        "gemeentecode, zet het jaar goed en vul per regel de teller (`numerator`) en de noemer "
        f"(`denominator`) in. Lees het daarna in met `jeugdmonitor import {name}`; de figuren "
        "verschijnen dan als echte cijfers, met uw eigen bron. Voorbeeldcijfers (gesimuleerd) "
        "toont de app met de schakelaar *Toon ook voorbeeldcijfers (gesimuleerd)*, een rapport "
        "met `jeugdmonitor report --include-simulated`."
    )
    # on paper one line: the steps and the template's rows are in the app and the handleiding
    paper = (
        f"met het sjabloon `jeugdmonitor/templates/{name}` en `jeugdmonitor import {name}`; "
        "de stappen en de rijen van het sjabloon staan bij deze figuur in de app en in de "
        "handleiding."
    )
    text = (
        f"{note['holder_nl']} **Kosten:** {note['cost_nl']}\n\n"
        f"**Eigen cijfers inlezen:** {screen_or_paper(steps, paper)}"
    )
    return Figure(
        key=key,
        title=f"{title}: {KINDS[note['kind']].lower()}",
        explanation=text,
        source=NOTE_SOURCE,
        chart=None,
        table=template_frame(indicator)
        .join(labels, on="breakdown", how="left")
        .select(
            "indicator",
            "breakdown",
            pl.col("label_nl").alias("uitsplitsing"),
            "gemeente_code",
            pl.col("year").cast(pl.String),  # as in the file (no thousands separator)
            "numerator",
            "denominator",
        ),
        layout="full",
        print_table=False,
    )
