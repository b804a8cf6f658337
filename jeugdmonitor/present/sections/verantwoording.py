"""Section "Verantwoording": the sources and methods behind every figure (`jeugdmonitor.present.verantwoording`).

The same for every region (the app and the report show it last; every figure's source line links
to it). Parts with a table become table figures; the text parts follow as the closing text.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts, verantwoording
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Figure, Section

KEY = verantwoording.ANCHOR
TITLE = "Bronnen en verantwoording"
INTRO = (
    "Waar komen de cijfers vandaan, en hoe zijn schattingen gemaakt? Echte cijfers dragen een "
    "groen label met hun bron en jaar (*CBS, 2022*), cijfers die daaruit zijn afgeleid een blauw "
    "label (*afgeleid*, *model op CBS 2022*), gesimuleerde cijfers een oranje label "
    "(*gesimuleerd*)."
)


def _figure(part: verantwoording.Part) -> Figure:
    return Figure(
        key=f"verantwoording_{part.key}",
        title=part.title,
        explanation=part.text,
        source="",
        chart=None,
        table=part.table if part.table is not None else pl.DataFrame(),
    )


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """The verantwoording (region-independent): table parts as figures, text parts after them."""
    parts = verantwoording.parts(store)
    tables = [_figure(p) for p in parts if p.table is not None]
    texts = "\n\n".join(f"### {p.title}\n\n{p.text}" for p in parts if p.table is None)
    return Section(KEY, TITLE, INTRO, tables, outro=texts)
