"""Simulated figures are off by default: reports, sections, the model and the notes where no open
source exists; and with `--include-simulated` (or the app's switch) they are back, badged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest

from jeugdmonitor import cli
from jeugdmonitor.analysis import model
from jeugdmonitor.analysis.update import run_import
from jeugdmonitor.app import ui
from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load, open_store
from jeugdmonitor.present import data_status, report
from jeugdmonitor.present.sections import Choices, build_sections, unavailable
from jeugdmonitor.present.sections.common import visible

ROOT = Path(__file__).resolve().parent.parent
SIM = Choices(include_simulated=True)
BADGE = "jm-badge jm-sim'>gesimuleerd<"


@pytest.fixture(scope="module")
def store():
    return load()


def _csv_rows(folder: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        text = path.read_bytes().decode("utf-8-sig")
        rows += list(csv.DictReader(io.StringIO(text), delimiter=";"))
    return rows


@pytest.mark.parametrize("code", ["GM0344", "PO2707"])
def test_reports_show_no_simulated_figure_unless_asked(tmp_path, code):
    """Default: no CSV row with gesimuleerd = true and no 'gesimuleerd' badge; with
    --include-simulated both are back (through the command line, as a user runs it)."""
    for flag, out in (([], tmp_path / "real"), (["--include-simulated"], tmp_path / "sim")):
        assert cli.main(["report", "--region", code, "--out", str(out), *flag]) == 0
        doc = (out / f"{code}.html").read_text(encoding="utf-8")
        rows = _csv_rows(out / f"{code}_csv")
        simulated = [r for r in rows if r.get("gesimuleerd") == "true"]
        if flag:
            assert doc.count(BADGE) > 5 and simulated
            assert "Bevat gesimuleerde cijfers" in doc  # the warning, on screen and every page
        else:
            assert BADGE not in doc and not simulated, simulated[:1]
            assert "gesimuleerd" not in {r.get("gesimuleerd") for r in rows} - {"false", None}
            assert "Geen open bron" in doc and "jeugdmonitor/templates/problematiek.csv" in doc
            assert "niet voor beleid gebruiken" not in doc
            # the rows that concern the region (its own, its members, its parents, NL)
            assert len(rows) > 100 and all(r.get("gesimuleerd", "false") == "false" for r in rows)


def test_the_index_warns_only_when_the_reports_show_simulated_figures(store):
    day = dt.date(2026, 1, 1)
    assert "gesimuleerd" not in report.index_html(store, day)
    assert "gesimuleerd" in report.index_html(store, day, simulated=True)


def test_the_page_reads_real_rows_only_and_the_banner_stays_away(store):
    real = visible(store, Choices())
    assert not real.indicators["is_simulated"].any() and real.indicators.height > 10_000
    assert visible(store, SIM) is store and visible(store, Choices()) is real  # made once
    built = build_sections(store, get_region(store, "GM0344"))
    assert not any(s.simulated for s in built.values())
    assert "gesimuleerd" not in ui.banner(built.values()).text


def test_the_model_and_the_comparable_gemeenten_use_real_inputs_only(store):
    real = visible(store, Choices())
    assert [f.key for f in model.care_forms(real)] == [
        "jeugdzorg",
        "jeugdhulp",
        "jeugdhulp_verblijf",
        "jeugdbescherming",
        "jeugdreclassering",
    ]
    assert len(model.care_forms(store)) == 12  # with the simulated zorgvormen, on request
    verwacht = build_sections(store, get_region(store, "GM0344"))["verwacht"]
    assert not any(f.simulated for f in verwacht.figures)
    assert any(f.key == "verwacht_zorgvormen_bron" for f in verwacht.figures)
    shown = build_sections(store, get_region(store, "GM0344"), choices=SIM)["verwacht"]
    assert any(f.simulated for f in shown.figures)


def test_every_indicator_without_a_source_has_a_note_and_its_template(store):
    notes = unavailable.notes()
    real = visible(store, Choices())
    for indicator, note in notes.items():
        assert not unavailable.has_rows(real, indicator), indicator  # no real rows bundled
        path = unavailable.template_path(indicator)
        assert path.read_text(encoding="utf-8") == unavailable.template_text(indicator)
        template = pl.read_csv(path)
        assert template.columns == [
            "indicator", "gemeente_code", "year", "breakdown", "numerator", "denominator", "source"
        ]  # fmt: skip
        # one row per breakdown the simulated series has, each a known breakdown
        simulated = store.indicators.filter(pl.col("indicator") == indicator)["breakdown"]
        assert set(template["breakdown"]) == set(simulated.unique())
        assert note["kind"] in unavailable.KINDS and note["holder_nl"] and note["cost_nl"]
    assert set(notes) == set(data_status.status_table(store).filter(
        pl.col("status") == data_status.NIET)["indicator"])  # fmt: skip


def test_a_filled_template_makes_the_figure_real_with_its_own_source(data_copy, tmp_path):
    filled = tmp_path / "problematiek.csv"
    template = pl.read_csv(unavailable.template_path("problematiek"))
    template.with_columns(
        gemeente_code=pl.lit("GM0344"),
        numerator=pl.int_range(900, 900 + template.height),
        denominator=pl.lit(40_000),
        source=pl.lit("GGD regio Utrecht, Gezondheidsmonitor 2024"),
    ).write_csv(filled)
    run_import(filled, data_copy, progress=lambda _: None)
    store = open_store(data_copy)
    section = build_sections(store, get_region(store, "GM0344"))["problematiek"]
    keys = [f.key for f in section.figures]
    assert "problematiek_bron" not in keys and "problematiek_aandeel" in keys
    bars = section.figures[keys.index("problematiek_aandeel")]
    assert not bars.simulated and bars.badge == "eigen cijfers, 2024"
    assert "GGD regio Utrecht, Gezondheidsmonitor 2024" in bars.source
    status = data_status.status_table(store).filter(pl.col("indicator") == "problematiek")
    assert status["status"].item() == "echt" and "GGD regio Utrecht" in status["source"].item()
    # Nederland is not built from one gemeente: no NL value (coverage), never a simulated one;
    # the radar then says there is nothing to compare with (it crashed on the missing NL rate)
    nl = bars.table.filter(pl.col("Regio") == "Nederland")
    assert nl["Percentage"].is_null().all()
    radar = section.figures[keys.index("problematiek_radar")]
    assert "Nederland heeft geen waarde om mee te vergelijken" in radar.summary


def test_the_status_table_says_what_each_indicator_is(store):
    table = data_status.status_table(store)
    assert table["indicator"].to_list() == store.catalogue["indicator"].to_list()
    status = dict(table.select("indicator", "status").iter_rows())
    assert status["jeugdzorg"] == "echt" and status["opleidingsniveau"] == "echt"
    assert status["jeugdhulp"] == "afgeleid" and status["laag_inkomen"] == "afgeleid"
    assert status["speciaal_onderwijs"] == "geschat"
    assert status["problematiek"] == status["jeugdhulp_zorgvorm"] == "niet beschikbaar"
    row = table.filter(pl.col("indicator") == "jeugdzorg").row(0, named=True)
    assert "85335NED" in row["source"] and row["years"] == "2021–2022" and "wijk" in row["levels"]
    row = table.filter(pl.col("indicator") == "speciaal_onderwijs").row(0, named=True)
    assert (
        row["source"].startswith("DUO") and row["years"] == "2024" and "wijk" not in row["levels"]
    )
    assert "Geen open bron" in table.filter(pl.col("indicator") == "problematiek")["source"].item()


def test_the_readme_holds_the_current_status_table(store):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = data_status.markdown_table(data_status.status_table(store))
    assert data_status.readme_with_table(readme, table) == readme, (
        "run `python -m jeugdmonitor.present.data_status` to refresh the README"
    )


def test_the_status_table_is_in_the_app_and_the_report(store):
    built = build_sections(store, get_region(store, "GM0344"))
    (figure,) = [f for f in built["verantwoording"].figures if f.key == "verantwoording_echt"]
    assert figure.title == "Welke cijfers zijn echt?"
    shown = figure.table
    assert shown.columns == list(data_status.COLUMNS.values()) and shown.height == 16
    doc, _, _ = report.render(store, get_region(store, "GM0344"))
    assert "Welke cijfers zijn echt?" in doc and "niet beschikbaar" in doc


def test_the_switch_reads_its_url_parameter_and_is_off_outside_an_app():
    assert ui.requested_simulated() is False
    assert ui.choices(False) == Choices() and ui.choices(True) == SIM
    assert ui.simulated_toggle(False).value is False and ui.simulated_toggle(True).value is True
