import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import marimo as mo
    from jeugdmonitor.linkage import publish, session, views
    from jeugdmonitor.sections.common import md_escape
    from jeugdmonitor.stats import decimal_text

    from jeugdmonitor import charts


@app.cell
def _():
    mo.md("""
    # Onderwijs-gerelateerde jeugdhulp per school

    Welke jeugdhulp gaat naar leerlingen van welke school? Deze notebook koppelt de
    jeugdhulpgegevens van de gemeente (welk kind krijgt welke jeugdhulp) aan de
    leerplichtgegevens (welk kind staat op welke school ingeschreven) en berekent per school en
    per schooltype, per schooljaar, zeven indicatoren: cliënten per 100 leerlingen, verdeling naar
    zorgvorm, verdeling naar verwijzer, leeftijd bij verwijzing, grootste aanbieders, totale
    kosten en kosten per cliënt.
    """)
    return


@app.cell
def _():
    mo.md("""
    ## Privacy

    De koppeling verwerkt bijzondere persoonsgegevens van kinderen (AVG). Daarom:

    - **Privacy Impact Assessment (DPIA).** Gebruik deze notebook met echte extracten pas na een
      DPIA en met goedkeuring van de privacy-adviseur of FG. Leg daarin vast welke gegevens uit
      welk systeem komen (leerplichtadministratie en jeugdhulpregistratie, de velden hieronder),
      voor welk doel, en welke beveiligingsmaatregelen gelden voor de bestanden.
    - **Pseudoniemen.** Bij het inlezen wordt elk BSN direct vervangen door een HMAC-SHA256-pseudoniem
      met een geheime sleutel die buiten de repository staat (`JEUGDMONITOR_LINKAGE_KEY` of
      `JEUGDMONITOR_LINKAGE_KEY_FILE`; maak er een met `jeugdmonitor linkage keygen PAD`). Zonder
      sleutel stopt de notebook. Geen tabel, grafiek of export bevat een BSN.
    - **Bewaartermijn.** De gekoppelde microdata bestaan alleen in het geheugen van deze sessie en
      verdwijnen bij afsluiten. Vernietig de extracten en de sleutel na de termijn die in de DPIA is
      afgesproken (voorstel: extracten direct na de analyse, de sleutel bij afronding van het
      project; een nieuwe sleutel maakt oude pseudoniemen onkoppelbaar).
    - **Aggregatieniveau.** Alleen totalen per school en per schooltype per schooljaar worden getoond
      en geëxporteerd. Aantallen onder 10 zijn onderdrukt (•), en waar nodig ook andere cellen,
      zodat geen verborgen aantal uit de totalen is terug te rekenen. Getoonde aantallen zijn
      afgerond op 5; percentages zijn berekend op de exacte aantallen.
    - **Foute rijen.** Rijen die de controles niet doorstaan (11-proef, datums, codes, dubbele
      rijen) tellen niet mee en worden hieronder met hun reden gemeld, zonder BSN.
    """)
    return


@app.cell
def _():
    key, key_problem = session.key_or_error()
    mo.stop(
        key is None,
        mo.callout(
            mo.md(
                f"**Geen pseudonimiseringssleutel: de koppeling draait niet.**\n\n`{key_problem}`"
            ),
            kind="danger",
        ),
    )
    return (key,)


@app.cell
def _(key):
    source = session.inputs(session.cli_args())
    result = session.run(source, key)
    kern = result.tables["kerncijfers"]
    verdelingen = result.tables["verdelingen"]
    banner = mo.callout(
        mo.md(
            "**Gesimuleerde gegevens.** Alle leerlingen, trajecten, scholen en aanbieders zijn "
            "fictief; de cijfers tonen hoe de analyse werkt, niet hoe het in een echte gemeente is."
        ),
        kind="warn",
    )
    mo.vstack(
        [
            *([banner] if result.simulated else []),
            mo.md(
                f"Bron: {source.description}. Lopende trajecten tellen mee tot de peildatum "
                f"{result.peildatum:%d-%m-%Y}."
            ),
        ]
    )
    return kern, result, verdelingen


@app.cell
def _(result):
    mo.vstack(
        [
            mo.md("## Controle van de extracten"),
            mo.ui.table(result.summary, selection=None, show_download=False),
            mo.md("Afgekeurde rijen per reden (rijnummer 1 = eerste regel onder de kopregel):"),
            mo.ui.table(views.rejects_summary(result.rejects), selection=None, show_download=False),
            mo.md(
                "Gekoppelde trajecten per schooljaar (trajecten van kinderen die in dat jaar op een school staan):"
            ),
            mo.ui.table(views.coverage_table(result.coverage), selection=None, show_download=False),
        ]
    )
    return


@app.cell
def _(kern):
    mo.vstack(
        [
            mo.md("## Grafiek 1: trend per schooltype"),
            charts.school_type_trend(views.type_trend(kern)),
            mo.md(
                "Per 100 leerlingen, zodat verschillen in leerlingaantallen tussen scholen en jaren "
                "geen rol spelen. Ontbrekende punten zijn onderdrukt (minder dan 10 leerlingen of cliënten)."
            ),
        ]
    )
    return


@app.cell
def _(kern):
    types = views.types_present(kern)
    soort = mo.ui.dropdown(types, value=next(iter(types)), label="Schooltype")
    drempel = mo.ui.slider(
        0, 100, step=5, value=20, label="Markeer scholen boven (per 100)", show_value=True
    )
    helling = mo.ui.number(0.5, 10, step=0.5, value=2.0, label="Stijgend vanaf (per 100 per jaar)")
    mo.vstack(
        [
            mo.md("## Grafiek 2: trend per school"),
            mo.hstack([soort, drempel, helling], justify="start"),
        ]
    )
    return drempel, helling, soort


@app.cell
def _(drempel, helling, kern, soort):
    flags = views.school_flags(kern, soort.value, drempel.value, helling.value)
    type_name = soort.selected_key
    mo.vstack(
        [
            charts.school_trend(views.school_trend(kern, flags), drempel.value, type_name),
            mo.md(
                f"**{flags['boven_drempel'].sum()}** van de {flags.height} scholen zitten in hun laatste "
                f"gepubliceerde jaar boven {drempel.value} per 100; **{flags['stijgend'].sum()}** stijgen "
                f"met minstens {decimal_text(helling.value, 1)} per 100 per jaar (kleinste-kwadratenlijn over ten minste "
                "drie gepubliceerde jaren)."
            ),
            mo.ui.table(views.flags_table(flags), selection=None, show_download=False),
        ]
    )
    return (type_name,)


@app.cell
def _(kern, soort):
    options = views.schools_of(kern, soort.value)
    years = {views.year_label(y): y for y in sorted(kern["schooljaar"].unique(), reverse=True)}
    default = next(k for k, v in options.items() if v == views.largest_school(kern, soort.value))
    school = mo.ui.dropdown(options, value=default, label="School", searchable=True)
    jaar = mo.ui.dropdown(years, value=next(iter(years)), label="Schooljaar")
    mo.vstack(
        [
            mo.md("## Benchmark: één school tegen de andere scholen van hetzelfde type"),
            mo.hstack([school, jaar], justify="start"),
        ]
    )
    return jaar, school


@app.cell
def _(jaar, kern, school, type_name):
    mo.hstack(
        [
            charts.school_benchmark(
                views.benchmark(kern, school.value, jaar.value), type_name, jaar.selected_key
            ),
            mo.ui.table(
                views.indicator_table(kern, school.value, jaar.value),
                selection=None,
                show_download=False,
            ),
        ],
        widths=[3, 2],
        align="start",
    )
    return


@app.cell
def _(jaar, school, verdelingen):
    titles = {
        "zorgvorm": "Verdeling naar zorgvorm (lopende trajecten)",
        "verwijzer": "Verdeling naar verwijzer (lopende trajecten)",
        "leeftijd": "Leeftijd bij verwijzing (nieuwe trajecten)",
        "aanbieder": "Grootste aanbieders van dit schooltype (lopende trajecten)",
    }
    mo.vstack(
        [
            mo.md(f"### Verdelingen: {md_escape(school.selected_key)}, {jaar.selected_key}"),
            mo.hstack(
                [
                    charts.school_mix(views.mix(verdelingen, school.value, jaar.value, d), t)
                    for d, t in titles.items()
                ][:2],
                justify="start",
            ),
            mo.hstack(
                [
                    charts.school_mix(views.mix(verdelingen, school.value, jaar.value, d), t)
                    for d, t in titles.items()
                ][2:],
                justify="start",
            ),
        ]
    )
    return


@app.cell
def _():
    doel = mo.ui.text(label="Map voor de export", placeholder="/pad/naar/map", full_width=True)
    exporteer = mo.ui.run_button(label="Exporteer de onderdrukte tabellen (CSV en parquet)")
    mo.vstack([mo.md("## Export"), doel, exporteer])
    return doel, exporteer


@app.cell
def _(doel, exporteer, result):
    mo.stop(
        not exporteer.value or not doel.value.strip(),
        mo.md("_Kies een map en klik op exporteren._"),
    )
    written = publish.export(result.tables, doel.value.strip())
    mo.md(
        "Geschreven (alleen onderdrukte aggregaten):\n\n" + "\n".join(f"- `{p}`" for p in written)
    )
    return


if __name__ == "__main__":
    app.run()
