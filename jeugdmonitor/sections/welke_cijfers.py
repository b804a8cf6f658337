"""Section "Welke cijfers zijn echt?": the status of every indicator (`data_status`), the same on
every page: which figures are real CBS or DUO figures, derived, estimated, or not available."""

from __future__ import annotations

from jeugdmonitor import charts, data_status
from jeugdmonitor.regions import Region
from jeugdmonitor.sections.base import DEFAULT_CHOICES, Choices, Figure, Section
from jeugdmonitor.store import Store

KEY = "welke_cijfers"
TITLE = "Welke cijfers zijn echt?"
INTRO = """\
Per indicator: de bron (tabel), de jaren, de regioniveaus en wat het is. *Echt*: aantallen zoals
CBS of DUO ze publiceert (de noemer, het aantal jeugdigen, kan een schatting zijn). *Afgeleid*:
aantallen berekend uit een gepubliceerd percentage. *Geschat*: aantallen geschat uit afgeschermde
cellen, met de marge in het interval. *Niet beschikbaar*: geen open bron in de meegeleverde
bestanden; u ziet dan een toelichting en hoe u eigen cijfers inleest, en alleen op verzoek
gesimuleerde voorbeeldcijfers. Eigen, ingelezen cijfers tellen als echt, met hun eigen bron.
"""


def build(
    store: Store,
    region: Region | None,
    *,
    assets: charts.Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """The status table (the same for every region and choice)."""
    del region, assets, choices
    table = data_status.display(data_status.status_table(store))
    figure = Figure(
        key="welke_cijfers_tabel",
        title="Bron en status per indicator",
        explanation=(
            "Eén rij per indicator van deze monitor; dezelfde tabel staat in de README en in "
            "elk rapport."
        ),
        source=(
            "Bron en jaar data: de catalogus van deze monitor (jeugdmonitor/reference) en de "
            "cijfers in de gegevensmap."
        ),
        chart=None,
        table=table,
    )
    return Section(KEY, TITLE, INTRO, [figure])
