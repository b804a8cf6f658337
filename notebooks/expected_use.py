import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import marimo as mo
    import polars as pl
    import polars.selectors as cs
    from jeugdmonitor.regions import TYPE_LABELS
    from jeugdmonitor.sections.verwacht import coefficients, quality_table
    from jeugdmonitor.store import load

    from jeugdmonitor import benchmark, charts, model, wijk_model

    store = load()
    year = model.model_year(store)


@app.cell
def _():
    mo.md(f"""
    # Verwacht jeugdzorggebruik: het model

    Per vorm een binomiaal regressiemodel over alle gemeenten, op de echte CBS-uitkomsten van
    {year} en echte CBS-achtergrondkenmerken (zie `jeugdmonitor/analysis/model.py` voor de keuze en de
    bronnen van de kenmerken). Coëfficiënten per standaarddeviatie van elk kenmerk, robuuste
    (HC3) 95%-intervallen. De zeven zorgvormen binnen de jeugdhulp zijn **gesimuleerd**: hun
    modellen beschrijven de simulatie, niet de werkelijkheid. Daarnaast een model per wijk
    (`jeugdmonitor/analysis/wijk_model.py`).
    """)
    return


@app.cell
def _():
    form = mo.ui.dropdown(
        {f.label: f.key for f in model.CARE_FORMS}, value="Jeugdzorg (totaal)", label="Vorm"
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
    excluded = fit.excluded.group_by("reason").agg(pl.col("name").sort().str.join(", "))
    mo.vstack(
        [
            mo.md(
                f"## Coëfficiënten: {fit.form.label} ({fit.year})"
                + (" — **gesimuleerde uitkomst**" if fit.simulated else "")
            ),
            mo.ui.table(
                fit.coefficients.drop("mean").with_columns(cs.float().round(4)), selection=None
            ),
            mo.md("Niet in het model (gemeenten):"),
            mo.ui.table(excluded, selection=None),
        ]
    )
    return (fit,)


@app.cell
def _():
    charts.coefficient_chart(coefficients(store).filter(~pl.col("simulated")))
    return


@app.cell
def _(fit):
    diagnostics = pl.DataFrame(
        [
            {"vorm": key, "gesimuleerd": f.simulated, **f.stats}
            for key, f in model.fit_all(store).items()
        ]
    )
    mo.vstack(
        [
            mo.md(
                "## Diagnostiek\n\nVerklaarde deviantie, Pearson-dispersie (1 = puur binomiaal "
                "toeval), correlatie werkelijk–verwacht over gemeenten, en de controle dat de "
                f"verwachte totalen gelijk zijn aan de werkelijke. Gekozen: {fit.form.label}."
            ),
            mo.ui.table(diagnostics.with_columns(cs.float().round(4)), selection=None),
        ]
    )
    return


@app.cell
def _():
    every_form = pl.DataFrame(
        [
            {"vorm": key, "gesimuleerd": model.fit_form(store, key).simulated,
             **vars(model.quality(store, key))}
            for key in model.FORMS
        ]
    )  # fmt: skip
    wq = wijk_model.wijk_quality(store)
    between = wijk_model.between_gemeente_r2(store)
    mo.vstack(
        [
            mo.md(
                "## Kwaliteit buiten de steekproef\n\nR² van de aandelen bij tienvoudige "
                "kruisvalidatie (vijf keer herhaald), met elke eenheid even zwaar (`r2`) en "
                "gewogen naar jeugdigen (`r2_weighted`), naast het model zonder kenmerken "
                "(`*_baseline`); `noise` is het deel van de spreiding dat puur binomiaal toeval "
                "is. De wijken zijn per gemeente gegroepeerd."
            ),
            mo.ui.table(quality_table(store, year).with_columns(cs.float().round(4)),
                        selection=None),
            mo.ui.table(every_form.with_columns(cs.float().round(4)), selection=None),
            mo.md(
                f"Wijkmodel: R² {wq.r2:.3f} (gewogen {wq.r2_weighted:.3f}); alleen de gemeente "
                f"waarin een wijk ligt (in de steekproef): {between[0]:.3f} (gewogen "
                f"{between[1]:.3f})."
            ),
        ]
    )  # fmt: skip
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


@app.cell
def _():
    wfit = wijk_model.fit_wijken(store)
    mo.vstack(
        [
            mo.md(
                f"## Wijkmodel: jeugdzorg 0-22 per wijk ({wfit.year})\n\n"
                f"{int(wfit.stats['n_wijken'])} wijken in {int(wfit.stats['n_gemeenten'])} "
                f"gemeenten; verklaarde deviantie {wfit.stats['explained_deviance']:.3f}, "
                f"dispersie {wfit.stats['dispersion']:.1f}."
            ),
            mo.ui.table(wfit.coefficients.with_columns(cs.float().round(4)), selection=None),
            mo.ui.table(
                wijk_model.wijk_background(store).group_by("reason").len().sort("len"),
                selection=None,
            ),
        ]
    )
    return


@app.cell
def _():
    gemeente = mo.ui.dropdown(
        dict(
            store.regions.filter(pl.col("type") == "gemeente")
            .select("name", "code")
            .sort("name")
            .iter_rows()
        ),
        value="Utrecht",
        label="Gemeente",
        searchable=True,
    )
    gemeente
    return (gemeente,)


@app.cell
def _(gemeente):
    mo.vstack(
        [
            mo.md("### Vergelijkbare gemeenten en de wijken"),
            mo.ui.table(
                benchmark.comparable_gemeenten(store, gemeente.value).with_columns(
                    cs.float().round(3)
                ),
                selection=None,
            ),
            mo.ui.table(
                wijk_model.gemeente_wijken(store, gemeente.value)
                .drop("expected_se")
                .with_columns(cs.float().round(4)),
                selection=None,
            ),
        ]
    )
    return


if __name__ == "__main__":
    app.run()
