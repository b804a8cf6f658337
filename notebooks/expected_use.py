import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import marimo as mo
    import polars as pl
    import polars.selectors as cs

    from jeugdmonitor import charts, model
    from jeugdmonitor.regions import TYPE_LABELS
    from jeugdmonitor.sections.verwacht import coefficients
    from jeugdmonitor.store import load

    store = load()


@app.cell
def _():
    mo.md("""
    # Verwacht jeugdzorggebruik: het model

    Per zorgvorm een binomiaal regressiemodel over alle gemeenten (zie `jeugdmonitor/model.py`
    voor de keuze van de kenmerken). Coëfficiënten per standaarddeviatie van elk kenmerk,
    robuuste (HC3) 95%-intervallen. **De gebundelde cijfers zijn gesimuleerd.**
    """)
    return


@app.cell
def _():
    form = mo.ui.dropdown(
        {f.label: f.key for f in model.CARE_FORMS}, value="Jeugdhulp (totaal)", label="Zorgvorm"
    )
    level = mo.ui.dropdown(
        {TYPE_LABELS[t]: t for t in ("gemeente", "swv_po", "swv_vo", "jeugdregio", "provincie")},
        value="Gemeente",
        label="Niveau",
    )
    mo.hstack([form, level], justify="start")
    return form, level


@app.cell
def _(form):
    fit = model.fit_form(store, form.value)
    mo.vstack(
        [
            mo.md(f"## Coëfficiënten: {fit.form.label} ({fit.year})"),
            mo.ui.table(
                fit.coefficients.drop("mean").with_columns(cs.float().round(4)), selection=None
            ),
            mo.md(
                "Niet in het model: "
                + "; ".join(f"{model.PREDICTORS[p]} ({r})" for p, r in fit.dropped.items())
            ),
        ]
    )
    return (fit,)


@app.cell
def _():
    charts.coefficient_chart(coefficients(store))
    return


@app.cell
def _(fit):
    diagnostics = pl.DataFrame(
        [{"zorgvorm": key, **f.stats} for key, f in model.fit_all(store).items()]
    )
    mo.vstack(
        [
            mo.md(
                "## Diagnostiek\n\nVerklaarde deviantie, Pearson-dispersie (1 = puur binomiaal "
                "toeval), correlatie werkelijk–verwacht over gemeenten, en de controle dat de "
                f"verwachte totalen gelijk zijn aan de werkelijke. Gekozen: {fit.form.label}."
            ),
            mo.ui.table(diagnostics, selection=None),
        ]
    )
    return


@app.cell
def _(form, level):
    values = model.shown_values(store, form.value, level.value)
    charts.observed_expected_scatter(values, model.FORMS[form.value].label)
    return (values,)


@app.cell
def _(form, level, values):
    charts.residual_map(
        values.rename({"region_code": "code"}),
        store.geo_text(level.value),
        level.value,
        f"{model.FORMS[form.value].label}, werkelijk / verwacht",
    )
    return


if __name__ == "__main__":
    app.run()
