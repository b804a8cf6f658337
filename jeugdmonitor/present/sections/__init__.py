"""Report sections as data: each module builds one `Section` for a region (see `base`).

`SECTIONS` is the registry, in page order; `build_sections` builds them all. The app lays each
out in its own cell and the static report renders the same list. To add a section (e.g. the
"Verwacht en werkelijk" section), write a module with `build(store, region, *, assets=None)`
and add it to `SECTIONS` where it belongs in the page.
"""

from __future__ import annotations

from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.charts import Assets
from jeugdmonitor.present.sections import (
    eerder_signaleren,
    inleiding,
    jeugdzorg,
    onderwijssoort,
    problematiek,
    samenstelling,
    speciaal_onderwijs,
    verantwoording,
    verwacht,
    wat_valt_op,
    wijk_context,
    wijken,
)
from jeugdmonitor.present.sections.base import (
    DEFAULT_CHOICES,
    Choices,
    Figure,
    Section,
    SectionBuilder,
)

SECTIONS: dict[str, SectionBuilder] = {
    "wat_valt_op": wat_valt_op.build,  # first: what stands out (and the chosen comparison)
    "inleiding": inleiding.build,
    "samenstelling": samenstelling.build,
    "problematiek": problematiek.build,
    "jeugdzorg": jeugdzorg.build,
    "onderwijssoort": onderwijssoort.build,
    "speciaal_onderwijs": speciaal_onderwijs.build,
    "eerder_signaleren": eerder_signaleren.build,
    "verwacht": verwacht.build,
    "wijken": wijken.build,
    "wijken_context": wijk_context.build,
    "verantwoording": verantwoording.build,
}


def build_sections(
    store: Store,
    region: Region | None,
    *,
    assets: Assets | None = None,
    choices: Choices = DEFAULT_CHOICES,
) -> dict[str, Section]:
    """Every registered section for a region (None = the NL overview), keyed and in page order.

    `assets` decides where maps get their TopoJSON and tables: inline by default (static files),
    by URL in the app (`transport.AppAssets`). `choices` are the user's other choices (simulated
    figures shown or not, own comparison gemeenten).
    """
    return {
        key: build(store, region, assets=assets, choices=choices) for key, build in SECTIONS.items()
    }


__all__ = ["DEFAULT_CHOICES", "SECTIONS", "Choices", "Figure", "Section", "build_sections"]
