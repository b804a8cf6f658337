"""Section "Wat valt op": the few tested differences of a region worth reading first.

Built from `jeugdmonitor.analysis.highlights` on real figures only: every indicator of the catalogue that
is real (CBS or the user's own imported figures) takes part, so new real indicators appear here
without a change. Each item is one sentence with the numbers, the interval and a link to the
section with its figures; the text says how the items were chosen and that it explains nothing.
"""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis import highlights
from jeugdmonitor.analysis.benchmark import peer_label, peer_set
from jeugdmonitor.analysis.indicators import breakdown_labels, catalogue_entry
from jeugdmonitor.analysis.stats import percent_text
from jeugdmonitor.data.regions import Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.sections import (
    eerder_signaleren,
    jeugdzorg,
    onderwijssoort,
    problematiek,
    speciaal_onderwijs,
    vergelijking,
    verwacht,
)
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices, Section
from jeugdmonitor.present.sections.common import interactive, is_nl, md_escape, region_label

KEY = "wat_valt_op"
TITLE = "Wat valt op"
MAX_ITEMS = 5  # differences listed; the rest is counted
NO_PEERS = "Vergelijkbare gemeenten worden alleen voor een gemeente berekend."
NL_LEAD = (
    "Nederland is de maatstaf waarmee elke andere regio hier wordt vergeleken. Een verandering "
    "tussen 2021 en 2022 toetst de monitor voor Nederland alleen waar beide jaren op dezelfde "
    "manier zijn berekend: voor 2022 toont hij het landelijke cijfer van het CBS, voor 2021 de "
    "som van de gemeenten, en het verschil daartussen is deels een verschil in rekenwijze."
)
SIGNIFICANT = {"hoger": "hoger dan", "lager": "lager dan"}


def what(store: Store, indicator: str, breakdown: str) -> str:
    """An indicator and breakdown in words: 'Jeugdzorggebruik: 4-12 jaar'."""
    title = catalogue_entry(store, indicator)["title_nl"].rstrip("?")
    if breakdown == "all":
        return title
    label = breakdown_labels(store).get(breakdown, breakdown)
    if label[1:2].islower():  # 'Huisarts' → 'huisarts'; keeps 'Jeugd-ggz' and 'sbo' readable
        label = label[0].lower() + label[1:]
    return f"{title}: {label}"


def unit_words(store: Store, indicator: str) -> str:
    """The unit after a percentage: '% van jeugdigen' → 'van jeugdigen'."""
    return catalogue_entry(store, indicator)["unit"].removeprefix("%").strip()


def points(value: float | None) -> str:
    """A difference of two fractions in percentage points, signed, Dutch ('+2,3')."""
    return "–" if value is None else f"{100 * value:+.1f}".replace(".", ",")


# The sections an indicator of the catalogue belongs to (its `section` column is their key and
# module name). Imported here rather than read from `sections.SECTIONS`, which registers this
# section too: the registry imports the sections, never the other way round.
LINKED = (eerder_signaleren, jeugdzorg, onderwijssoort, problematiek, speciaal_onderwijs, verwacht)


def section_links() -> dict[str, str]:
    """Section key → title of the sections indicators link to (for the 'naar …' links)."""
    return {module.__name__.rpartition(".")[2]: module.TITLE for module in LINKED}


def link(store: Store, indicator: str) -> str:
    """Markdown link to the section that shows the indicator ('' when it has none)."""
    key = catalogue_entry(store, indicator)["section"]
    title = section_links().get(key)
    return f" {interactive(f'[Naar {title}](#{key})')}" if title else ""  # not on paper


def difference_item(store: Store, row: dict, name: str, peers_name: str, n_peers: int) -> str:
    """One difference as a sentence: the region's value and interval against NL and the peers."""
    verdicts = []
    for kind, against in (("nl", "Nederland"), ("peers", peers_name)):
        ref = row[f"{kind}_ref_rate"]
        if ref is None:
            continue
        word = SIGNIFICANT.get(row[f"{kind}_direction"] or "", "niet significant anders dan")
        partly = (
            f"; {row['peers_ref_n']} van de {n_peers} met een cijfer"
            if kind == "peers" and row["peers_ref_n"] and row["peers_ref_n"] < n_peers
            else ""
        )
        verdicts.append(f"{word} {against} ({percent_text(ref)}{partly})")
    covered = f"; berekend over {row['coverage_note']}" if row["coverage_note"] else ""
    return (
        f"**{what(store, row['indicator'], row['breakdown'])}** ({row['year']}): {name} "
        f"{percent_text(row['rate'])} {unit_words(store, row['indicator'])} (95%-BI "
        f"{percent_text(row['ci_low'])} – {percent_text(row['ci_high'])}{covered}), "
        f"{' en '.join(verdicts)}.{link(store, row['indicator'])}"
    )


def change_item(store: Store, row: dict, significant: bool, name: str) -> str:
    """The largest change between the last two years as a sentence."""
    verdict = (
        "significant"
        if significant
        else "na correctie voor het aantal toetsen is geen enkele verandering significant"
    )
    return (
        f"**{what(store, row['indicator'], row['breakdown'])}** (grootste verandering, "
        f"{verdict}): {name} van {percent_text(row['ref_rate'])} ({row['ref_year']}) naar "
        f"{percent_text(row['rate'])} ({row['year']}) {unit_words(store, row['indicator'])}, "
        f"{points(row['difference'])} procentpunt (95%-BI {points(row['difference_low'])} tot "
        f"{points(row['difference_high'])}).{link(store, row['indicator'])}"
    )


def _peers(store: Store, region: Region | None, choices: Choices) -> tuple[list[str], str, str]:
    """The comparison gemeenten, how to name them in a sentence, and a note on where they come
    from (the user's own set, the computed set of a gemeente, or none)."""
    if region is not None and region.type == "gemeente":
        codes, own = peer_set(store, region.code, chosen=choices.compare)
        return codes, f"de {peer_label(len(codes), own)} samen", ""
    if choices.compare and not is_nl(region):
        codes = list(choices.compare)
        return codes, f"de {peer_label(len(codes), True)} samen", ""
    if is_nl(region):
        return [], "", ""
    return [], "", NO_PEERS


def build(
    store: Store,
    region: Region | None,
    *,
    assets: object = None,
    choices: Choices = DEFAULT_CHOICES,
) -> Section:
    """The few things that stand out, with how they were found."""
    del assets
    peers, peers_name, peers_note = _peers(store, region, choices)
    tests = highlights.region_tests(store, None if is_nl(region) else region, peers)
    name = md_escape(region_label(region))
    found = highlights.differences(tests)
    change, change_significant = highlights.largest_change(tests)
    # each indicator once (its largest difference), so one family of breakdowns cannot fill
    # the list; the rest is counted below it
    items = [
        difference_item(store, row, name, peers_name, len(peers))
        for row in found.filter(pl.col("first")).head(MAX_ITEMS).iter_rows(named=True)
    ]
    against = "Nederland" + (f" of van {peers_name}" if peers_name else "")
    if is_nl(region):
        lead = NL_LEAD
    elif items:
        lead = f"Waar {name} significant verschilt van {against}, het grootste verschil eerst:"
    else:
        lead = (
            f"Geen van de getoetste cijfers van {name} verschilt significant van {against} "
            "(na correctie voor het aantal toetsen)."
        )
    more = found.height - len(items)
    extra = (
        f'\n\n<span class="jm-note">Nog {more} andere '
        f"{'cijfers wijken' if more > 1 else 'cijfer wijkt'} significant af (ook andere "
        "uitsplitsingen van dezelfde cijfers); u vindt ze bij de figuren hieronder.</span>"
        if more > 0
        else ""
    )
    if change is not None:  # the largest change closes the list
        items.append(change_item(store, change, change_significant, name))
    bullets = "\n".join(f"- {item}" for item in items)
    intro = f"{lead}\n\n{bullets}{extra}" if items else lead
    if not tests.height and not is_nl(region):
        intro = f"Voor {name} zijn er geen echte cijfers om te vergelijken."
    parts = [] if is_nl(region) and not tests.height else [_method(tests.height, name, peers_name)]
    choose = vergelijking.how_to_choose(store, region, choices)
    outro = "\n\n".join(x for x in (*parts, peers_note, choose) if x)
    table = vergelijking.comparison_figure(store, region, choices)
    return Section(key=KEY, title=TITLE, intro=intro, figures=[table] if table else [], outro=outro)


def _method(n_tests: int, name: str, peers_name: str) -> str:
    """How the items were chosen, in plain Dutch (small on paper)."""
    against = f"van Nederland, van {peers_name} en" if peers_name else "van Nederland en"
    return (
        '<span class="jm-note">**Hoe is dit bepaald?** Alleen echte cijfers tellen mee (van het '
        "CBS of zelf ingelezen, "
        "niet gesimuleerd), in hun laatste jaar en alleen waar het aantal minstens 10 is. Per "
        f"cijfer is getoetst of {name} verschilt {against} van het jaar ervoor: {n_tests} "
        "toetsen. Bij zoveel toetsen valt er al snel toevallig iets op; daarom is gecorrigeerd "
        f"voor het aantal toetsen met {highlights.METHOD_NL} (samen hooguit 5% kans op één of "
        "meer onterechte meldingen). De volgorde is die van de grootte van het verschil, gemeten "
        "zo dat een verschil van 1 procentpunt bij 2% zwaarder telt dan bij 40% (Cohen's h). De "
        "cijfers laten verschillen zien, geen verklaringen.</span>"
    )
