"""The app's region choice: the dropdown, the URL (`?region=`, `?sim=`) and the simulated-figures
switch, read and written back so a link or a reload shows the same page."""

from __future__ import annotations

import marimo as mo

from jeugdmonitor.data.regions import NL_CODE, Region, get_region, normalize_code
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.sections.base import Choices
from jeugdmonitor.present.sections.common import md_escape

PLACEHOLDER = "— kies een regio (landelijk overzicht) —"


def _context_value(getter: str, name: str = "region") -> str | None:
    """`mo.query_params()` / `mo.cli_args()` `name`, or None outside a running app."""
    from marimo._runtime.context import ContextNotInitializedError

    try:
        value = getattr(mo, getter)().get(name)
    except ContextNotInitializedError:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def requested_region() -> str | None:
    """The region asked for: `?region=` in `marimo run`, else `-- --region` on the command line."""
    return _context_value("query_params") or _context_value("cli_args")


SIM_PARAM = "sim"  # ?sim=1: simulated example figures shown too
SIM_LABEL = "Toon ook voorbeeldcijfers (gesimuleerd)"


def requested_simulated() -> bool:
    """`?sim=1` in `marimo run` (or `-- --sim 1` on the command line): show simulated figures."""
    value = _context_value("query_params", SIM_PARAM) or _context_value("cli_args", SIM_PARAM)
    return (value or "").strip().lower() in ("1", "true", "ja", "yes", "on")


def _write_sim(on: bool) -> None:
    """Put the toggle into the URL (`?sim=1`, nothing when off) so the link can be shared."""
    from marimo._runtime.context import ContextNotInitializedError

    try:
        params = mo.query_params()
        if on:
            params[SIM_PARAM] = "1"
        elif SIM_PARAM in params:
            del params[SIM_PARAM]
    except ContextNotInitializedError:
        return


def simulated_toggle(on: bool) -> mo.ui.switch:
    """The switch "Toon ook voorbeeldcijfers (gesimuleerd)": off by default, part of the URL."""
    return mo.ui.switch(value=on, label=SIM_LABEL, on_change=_write_sim)


def choices(include_simulated: bool) -> Choices:
    """The user's choices besides the region, from the controls (the defaults when all off)."""
    return Choices(include_simulated=bool(include_simulated))


def dropdown_options(store: Store) -> dict[str, str | None]:
    """Label → code, grouped by type through the label prefix and the order.

    The first option is the "kies een regio" state (no region: the NL overview), then Nederland.
    """
    from jeugdmonitor.data.regions import dropdown_options as by_type

    def compute() -> dict[str, str | None]:
        options: dict[str, str | None] = {PLACEHOLDER: None, "Nederland": NL_CODE}
        options.update({k: v for k, v in by_type(store).items() if v != NL_CODE})
        return options

    return store.cached("ui_dropdown_options", compute)


def _label_of(store: Store, code: str | None) -> str | None:
    if not code:
        return None
    labels = store.cached(
        "ui_dropdown_labels", lambda: {v: k for k, v in dropdown_options(store).items()}
    )
    return labels.get(code)


def _write_url(code: str | None) -> None:
    """Put the chosen region into the URL (`?region=CODE`) so the link can be shared."""
    from marimo._runtime.context import ContextNotInitializedError

    try:
        params = mo.query_params()
        if code:
            params["region"] = code
        elif "region" in params:
            del params["region"]
    except ContextNotInitializedError:
        return


def region_picker(store: Store, requested: str | None) -> mo.ui.dropdown:
    """Searchable dropdown of every region; starts at the requested one when it exists."""
    return mo.ui.dropdown(
        options=dropdown_options(store),
        value=_label_of(store, normalize_code(requested)) or PLACEHOLDER,
        allow_select_none=False,
        searchable=True,
        label=(
            "Selecteer een gemeente, samenwerkingsverband, jeugdregio of provincie (typ een naam "
            "of code, bijvoorbeeld Den Haag of GM0518):"
        ),
        on_change=_write_url,
        full_width=True,
    )


def chosen_region(
    store: Store, picked: str | None, requested: str | None
) -> tuple[Region | None, str]:
    """The region to show (None = NL overview) and a Dutch notice for an unknown requested code."""
    region = get_region(store, picked) if picked else None
    if region is not None or not requested or get_region(store, requested) is not None:
        return region, ""
    shown = md_escape(str(requested)[:40])
    return None, (
        f"De regiocode **{shown}** bestaat niet. U ziet het landelijk overzicht; kies hierboven "
        "een gemeente, samenwerkingsverband, jeugdregio of provincie."
    )
