"""The app's selector of own comparison gemeenten: a multi-select that lives in the URL.

`?compare=GM0014,GM0034` opens the app with those gemeenten chosen; choosing in the selector
writes the address back, so a link carries the comparison. Codes the app cannot use (unknown,
not a gemeente, beyond ten) are left out with a Dutch notice. The choice reaches every section as
`Choices.compare` (`choices`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import marimo as mo

from jeugdmonitor.analysis.compare import MAX_COMPARE, parse_compare, problem_text
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices
from jeugdmonitor.present.sections.common import md_escape

PARAM = "compare"
LABEL = (
    f"Vergelijken met gemeenten van uw keuze (tot {MAX_COMPARE}; leeg: de 10 gemeenten die het "
    "meest op uw gemeente lijken):"
)


def requested() -> str | list[str] | None:
    """`?compare=` in `marimo run`, else `-- --compare` on the command line (None outside)."""
    from marimo._runtime.context import ContextNotInitializedError

    for getter in (mo.query_params, mo.cli_args):
        try:
            value = getter().get(PARAM)
        except ContextNotInitializedError:
            return None
        if value:
            return value
    return None


def gemeente_options(store: Store) -> dict[str, str]:
    """Label → code of every gemeente, labelled like the region picker (type prefix dropped)."""
    from jeugdmonitor.data.regions import dropdown_options

    def compute() -> dict[str, str]:
        codes = set(store.regions.filter(store.regions["type"] == "gemeente")["code"])
        return {
            label.removeprefix("Gemeente · "): code
            for label, code in dropdown_options(store).items()
            if code in codes
        }

    return store.cached("compare_options", compute)


def _write_url(codes: Sequence[str]) -> None:
    """Put the chosen gemeenten into the address (`?compare=GM0014,GM0034`), or take them out."""
    from marimo._runtime.context import ContextNotInitializedError

    try:
        params = mo.query_params()
        if codes:
            params[PARAM] = ",".join(codes)
        elif PARAM in params:
            del params[PARAM]
    except ContextNotInitializedError:
        return


def compare_picker(
    store: Store, value: str | Sequence[str] | None
) -> tuple[mo.ui.multiselect, str]:
    """The multi-select, starting at the requested codes, and a Dutch notice on codes left out."""
    codes, problems = parse_compare(store, value)
    labels = {code: label for label, code in gemeente_options(store).items()}
    picker = mo.ui.multiselect(
        options=gemeente_options(store),
        value=[labels[c] for c in codes],
        max_selections=MAX_COMPARE,
        label=LABEL,
        on_change=_write_url,
        full_width=True,
    )
    notice = (
        f"Niet gebruikt in de vergelijking: {md_escape(problem_text(problems))}."
        if problems
        else ""
    )
    return picker, notice


def picker_view(picker: mo.ui.multiselect, notice: str) -> mo.Html:
    """The selector with its notice under it."""
    if not notice:
        return picker
    return mo.vstack([picker, mo.callout(mo.md(notice), kind="warn")])


def choices(picked: Sequence[str] | None, base: Choices = DEFAULT_CHOICES) -> Choices:
    """`base` (the user's other choices) with the picked gemeenten as `compare`."""
    return dataclasses.replace(base, compare=tuple(dict.fromkeys(picked or ()))[:MAX_COMPARE])
