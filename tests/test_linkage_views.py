"""Display helpers of the linkage notebook: school-year labels and counts as shown."""

from __future__ import annotations

import polars as pl

from jeugdmonitor.analysis.linkage import views


def test_school_year_labels_agree_between_python_and_polars():
    """The expression dropped the leading zero ('2008/9') where `year_label` wrote '2008/09'."""
    years = [2008, 2009, 2019, 2023, 2099]
    got = pl.DataFrame({"schooljaar": years}).select(views.YEAR_LABEL)["schooljaar"].to_list()
    assert got == [views.year_label(y) for y in years]
    assert got == ["2008/09", "2009/10", "2019/20", "2023/24", "2099/00"]


def test_indicator_table_rounds_counts_and_marks_suppressed_values():
    kern = pl.DataFrame(
        {
            "niveau": ["school", "schooltype"],
            "school_id": ["01AB00", None],
            "onderwijssoort": ["po", "po"],
            "schooljaar": [2023, 2023],
            "leerlingen": [1234, 23456],
            "clienten": [None, 2417],
            "clienten_per_100": [None, 10.304],
            "trajecten": [51, 3001],
            "nieuwe_trajecten": [12, 999],
            "gem_leeftijd_verwijzing": [9.25, 10.0],
            "kosten": [None, 1234567.8],
            "kosten_per_client": [None, 510.8],
        }
    )
    table = views.indicator_table(kern, "01AB00", 2023)
    assert table["school"].to_list() == [
        "1.235",
        "• (onderdrukt)",
        "• (onderdrukt)",
        "50",
        "10",
        "9,2",
        "• (onderdrukt)",
        "• (onderdrukt)",
    ]
    assert table["alle scholen van dit type"].to_list()[:3] == ["23.455", "2.415", "10,3"]
    assert table["alle scholen van dit type"].to_list()[-2:] == ["€ 1.234.568", "€ 511"]
