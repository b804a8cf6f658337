"""Jeugdmonitor: how children in a Dutch region are doing, and how youth care meets education.

Run `marimo run monitor.py` (read-only app; `?region=GM0363` opens a region), `marimo edit
monitor.py` (add your own cells), or `marimo export html monitor.py -o x.html -- --region GM0363`.
Each cell is a short call into the `jeugdmonitor` package; the numbers come from
`jeugdmonitor.present.sections` (also used by the static reports). To add a section, register its builder
in `jeugdmonitor.present.sections.SECTIONS`, add a cell `ui.sections_by_key(built, "<key>")` below, and
name its theme in `jeugdmonitor.present.themes` (otherwise it joins the theme of the section before it).
"""

import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="full",
    app_title="Jeugdmonitor",
    html_head_file="jeugdmonitor/static/head.html",
)

with app.setup:
    import marimo as mo

    from jeugdmonitor.app import compare_ui, report_download, ui


@app.cell
def _():
    mo.md("""
    # Jeugdmonitor — onderwijs en jeugdhulp in uw regio
    """)
    return


@app.cell
def _():
    data_version = ui.data_watch()
    return (data_version,)


@app.cell
def _(data_version):
    store, data_notice = ui.app_data(data_version())
    requested = ui.requested_region()
    data_notice
    return requested, store


@app.cell
def _(store):
    ui.chart_runtime(store)
    return


@app.cell
def _(requested, store):
    picker = ui.region_picker(store, requested)
    picker
    return (picker,)


@app.cell
def _():
    simulated = ui.simulated_toggle(ui.requested_simulated())
    simulated
    return (simulated,)


@app.cell
def _(store):
    compare, compare_notice = compare_ui.compare_picker(store, compare_ui.requested())
    compare_ui.picker_view(compare, compare_notice)
    return (compare,)


@app.cell
def _(picker, requested, store):
    region, notice = ui.chosen_region(store, picker.value, requested)
    ui.header(region, notice)
    return (region,)


@app.cell
def _(compare, region, simulated, store):
    choices = compare_ui.choices(compare.value, ui.choices(simulated.value))
    built = ui.build_sections(store, region, choices)
    ui.banner(built)
    return built, choices


@app.cell
def _(choices, region, store):
    report_download.download_button(store, region, choices)
    return


@app.cell
def _(built):
    ui.navigation(built)
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "wat_valt_op")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "inleiding")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "samenstelling")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "problematiek")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "jeugdzorg")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "onderwijssoort")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "speciaal_onderwijs")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "eerder_signaleren")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "verwacht")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "wijken")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "wijken_context")
    return


@app.cell
def _(built):
    ui.sections_by_key(built, "verantwoording")
    return


@app.cell
def _():
    ui.handleiding()
    return


if __name__ == "__main__":
    app.run()
