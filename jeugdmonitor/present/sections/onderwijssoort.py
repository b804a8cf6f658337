"""Section "Jeugdzorggebruik naar onderwijssoort": bars per school type, trend."""

from __future__ import annotations

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import common, figures, unavailable
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Section

TITLE = "Jeugdzorggebruik naar onderwijssoort"
INTRO = """\
U ziet hier de cijfers over het jeugdzorggebruik van leerlingen in uw gemeente of regio per
onderwijssoort. Jeugdzorg omvat jeugdhulp, jeugdbescherming en jeugdreclassering. De cijfers worden
weergegeven per onderwijssoort:

- primair onderwijs (po);
- speciaal basisonderwijs (sbo);
- speciaal onderwijs (so);
- voortgezet onderwijs (vo);
- voortgezet speciaal onderwijs (vso);
- praktijkonderwijs (pro);
- middelbaar beroepsonderwijs (mbo).
"""
BARS_TITLE = "Jeugdzorggebruik per onderwijssoort in uw gemeente of regio"
BARS_TEXT = """\
De figuur geeft voor uw gemeente/regio per onderwijssoort het aandeel leerlingen weer dat jeugdzorg
ontvangt, naast het landelijk gemiddelde.
"""
TREND_TITLE = "Trend jeugdzorggebruik per onderwijssoort"
TREND_TEXT = """\
De figuur geeft de trend van het jeugdzorggebruik per onderwijssoort voor uw gemeente/regio en
Nederland.
"""
INDICATOR = "jeugdzorg_onderwijssoort"


def _breakdowns(store: Store) -> list[tuple[str, str]]:
    return store.cached(
        "onderwijssoort_breakdowns",
        lambda: (
            store.breakdowns.filter(store.breakdowns["dimension"] == "onderwijssoort")
            .sort("sort")
            .select("breakdown", "label_nl")
            .rows()
        ),
    )


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """Bars per onderwijssoort (latest year) and the trend per onderwijssoort (or the note)."""
    del assets
    store = common.visible(store, choices)
    if not unavailable.has_rows(store, INDICATOR):
        note = unavailable.note_figure(
            store, INDICATOR, key="onderwijssoort_bron", title="Jeugdzorg per onderwijssoort"
        )
        return Section(key="onderwijssoort", title=TITLE, intro=INTRO, figures=[note])
    kinds = _breakdowns(store)
    return Section(
        key="onderwijssoort",
        title=TITLE,
        intro=INTRO,
        figures=[
            figures.bars(
                store,
                region,
                indicator=INDICATOR,
                breakdowns=[b for b, _ in kinds],
                key="onderwijssoort_aandeel",
                title=BARS_TITLE,
                explanation=BARS_TEXT,
                what="van de leerlingen in het primair onderwijs heeft jeugdzorg",
                summary_breakdown="onderwijssoort=po",
                layout="full",
            ),
            figures.trend(
                store,
                region,
                parts=[(INDICATOR, b, label) for b, label in kinds],
                key="onderwijssoort_trend",
                title=TREND_TITLE,
                explanation=TREND_TEXT,
                series_title="Onderwijssoort",
            ),
        ],
    )
