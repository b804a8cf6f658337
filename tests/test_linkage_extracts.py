"""Every row is validated: each kind of bad row is reported with its reason, never silently dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from linkage_support import KEY, bsns, enrolment_rows, jeugdhulp_rows

from jeugdmonitor.analysis.linkage import synthetic
from jeugdmonitor.analysis.linkage.extracts import read_enrolment, read_jeugdhulp
from jeugdmonitor.analysis.linkage.pseudonym import pseudonym

GOOD = bsns(40)
BAD_ELFPROEF = GOOD[0][:8] + str((int(GOOD[0][8]) + 1) % 10)


def good_pupil(i: int) -> list:
    return [GOOD[i], "03-05-2012", "V", "12AB", "00", "OBS De Linde", "po", "2020/2021"]


ENROLMENT_DEFECTS = [
    ("bsn_elfproef", "bsn", {0: BAD_ELFPROEF}),
    ("bsn_vorm", "bsn", {0: "12345"}),
    ("bsn_ontbreekt", "bsn", {0: None}),
    ("geboortedatum_ongeldig", "geboortedatum", {1: "31-02-2012"}),
    ("geboortedatum_ontbreekt", "geboortedatum", {1: ""}),
    ("geboortedatum_onwaarschijnlijk", "geboortedatum", {1: "1980-01-01"}),
    ("leeftijd_onwaarschijnlijk", "geboortedatum", {1: "2020-01-01"}),
    ("geslacht_onbekend", "geslacht", {2: "Q"}),
    ("brin_vorm", "brin", {3: "1A2B"}),
    ("vestiging_vorm", "vestiging", {4: "A1"}),
    ("schoolnaam_ontbreekt", "schoolnaam", {5: " "}),
    ("onderwijssoort_onbekend", "onderwijssoort", {6: "havo"}),
    ("schooljaar_ongeldig", "schooljaar", {7: "2020/2022"}),
]


def test_a_second_enrolment_in_the_same_school_year_is_reported_with_the_first_row():
    rows = [good_pupil(0), good_pupil(1), good_pupil(0)]
    rows[2][3] = "34CD"
    extract = read_enrolment(enrolment_rows([tuple(r) for r in rows]), KEY)
    [reject] = extract.rejects.to_dicts()
    assert reject["controle"] == "inschrijving_dubbel" and reject["rij"] == 3
    assert reject["reden"].endswith("rij 1")
    assert extract.clean.height == 2


def good_trajectory(i: int) -> list:
    return [GOOD[i], "2020-09-01", "2021-03-01", "45A01", "02", "Praktijk Kompas", "1250.50"]


JEUGDHULP_DEFECTS = [
    ("bsn_elfproef", "bsn", {0: BAD_ELFPROEF}),
    ("begindatum_ongeldig", "begindatum", {1: "2020-13-45"}),
    ("begindatum_ontbreekt", "begindatum", {1: None}),
    ("einddatum_ongeldig", "einddatum", {2: "morgen"}),
    ("einddatum_voor_begin", "einddatum", {2: "2020-08-01"}),
    ("zorgvorm_onbekend", "zorgvorm", {3: "99X01"}),
    ("zorgvorm_onbekend", "zorgvorm", {3: "45-A"}),
    ("verwijzer_onbekend", "verwijzer", {4: "07"}),
    ("aanbieder_ontbreekt", "aanbieder", {5: ""}),
    ("kosten_ongeldig", "kosten", {6: "n.v.t."}),
    ("kosten_negatief", "kosten", {6: "-10"}),
]


CASES = [("inschrijvingen", *d) for d in ENROLMENT_DEFECTS]
CASES += [("jeugdhulp", *d) for d in JEUGDHULP_DEFECTS]


@pytest.mark.parametrize(("extract", "code", "column", "change"), CASES)
def test_each_kind_of_bad_row_is_reported_with_its_reason(extract, code, column, change):
    good, build, read = {
        "inschrijvingen": (good_pupil, enrolment_rows, read_enrolment),
        "jeugdhulp": (good_trajectory, jeugdhulp_rows, read_jeugdhulp),
    }[extract]
    rows = [good(i) for i in range(3)]
    [(position, value)] = change.items()
    rows[1][position] = value
    result = read(build([tuple(r) for r in rows]), KEY)
    assert result.clean.height == 2 and result.rows == 3
    [reject] = result.rejects.to_dicts()
    assert (reject["rij"], reject["controle"], reject["kolom"]) == (2, code, column)
    assert reject["reden"] and reject["bestand"].startswith(extract)
    if column == "bsn" or value is None or not value.strip():
        assert reject["waarde"] is None  # the BSN is never repeated in the report
    else:
        assert reject["waarde"] == value.strip()


def test_a_repeated_trajectory_is_reported_and_an_empty_end_date_means_ongoing():
    rows = [good_trajectory(0), good_trajectory(1), good_trajectory(0)]
    rows[1][2] = ""
    extract = read_jeugdhulp(jeugdhulp_rows([tuple(r) for r in rows]), KEY)
    [reject] = extract.rejects.to_dicts()
    assert reject["controle"] == "traject_dubbel" and reject["rij"] == 3
    assert extract.clean.get_column("einddatum").null_count() == 1


def test_dutch_amounts_dates_and_eight_digit_bsns_are_understood():
    short = next(b for b in GOOD if b.startswith("0"))
    rows = [(short[1:], "01-09-2020", "", "45", "2", "Praktijk Kompas", "1.234,50")]
    clean = read_jeugdhulp(jeugdhulp_rows(rows), KEY).clean
    assert clean.item(0, "kosten") == pytest.approx(1234.5)
    assert clean.item(0, "verwijzer") == "02"
    assert clean.item(0, "pid") == pseudonym(short, KEY)


def test_csv_and_parquet_give_the_same_clean_rows(tmp_path: Path):
    data = synthetic.extracts("klein", seed=5, bad_fraction=0.0)
    data.enrolment.write_csv(tmp_path / "inschrijvingen.csv", separator=";")
    synthetic.typed(data.enrolment).write_parquet(tmp_path / "inschrijvingen.parquet")
    from_csv = read_enrolment(tmp_path / "inschrijvingen.csv", KEY)
    from_parquet = read_enrolment(tmp_path / "inschrijvingen.parquet", KEY)
    assert from_csv.rejects.is_empty() and from_parquet.rejects.is_empty()
    assert from_csv.clean.equals(from_parquet.clean)
    assert "bsn" not in from_csv.clean.columns


def test_a_missing_column_names_the_file_and_the_column(tmp_path: Path):
    path = tmp_path / "jh.csv"
    jeugdhulp_rows([tuple(good_trajectory(0))]).drop("verwijzer").write_csv(path)
    with pytest.raises(ValueError, match=r"jh\.csv: column 'verwijzer' missing"):
        read_jeugdhulp(path, KEY)


def test_an_unknown_file_type_is_refused(tmp_path: Path):
    path = tmp_path / "jh.xlsx"
    path.write_bytes(b"not really")
    with pytest.raises(ValueError, match="unsupported file type"):
        read_jeugdhulp(path, KEY)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_generated_defect_is_reported_with_its_reason(tmp_path: Path, fmt: str):
    manifest = synthetic.generate(tmp_path, "klein", seed=11, bad_fraction=0.05, formats=(fmt,))
    assert json.loads((tmp_path / "synthetisch.json").read_text()) == manifest
    for name, reader in (("inschrijvingen", read_enrolment), ("jeugdhulp", read_jeugdhulp)):
        extract = reader(tmp_path / f"{name}.{fmt}", KEY)
        found = dict(extract.rejects.group_by("controle").len().iter_rows())
        expected = {k: v for k, v in manifest["afgekeurd"][name].items() if v}
        if fmt == "parquet":  # a typed date column cannot hold invalid text: it arrives empty
            for bad in ("geboortedatum", "begindatum"):
                if f"{bad}_ongeldig" in expected:
                    expected[f"{bad}_ontbreekt"] = expected.pop(f"{bad}_ongeldig")
        assert found == expected
        assert extract.clean.height + extract.rejects.height == manifest["rijen"][name]
        assert extract.rejects.get_column("reden").null_count() == 0
