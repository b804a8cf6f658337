"""The seven indicators equal an independent plain-Python computation on a hand-made extract."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import polars as pl
import pytest
from linkage_support import KEY, bsns, enrolment_rows, jeugdhulp_rows

from jeugdmonitor.analysis.linkage import pipeline, synthetic
from jeugdmonitor.analysis.linkage.codes import OTHER_PROVIDERS, codes
from jeugdmonitor.analysis.linkage.extracts import read_enrolment, read_jeugdhulp

P = bsns(8)
SCHOOLS = {"11AA00": ("11AA", "OBS De Linde", "po"), "22BB00": ("22BB", "CBS De Es", "po"),
           "33CC00": ("33CC", "Het College", "vo")}  # fmt: skip
BIRTH = {0: date(2012, 3, 10), 1: date(2011, 11, 20), 2: date(2013, 6, 1), 3: date(2007, 1, 15),
         4: date(2008, 9, 30), 5: date(2012, 12, 31), 6: date(2012, 2, 2)}  # fmt: skip
ENROLLED = [(0, "11AA00", 2020), (0, "11AA00", 2021), (1, "11AA00", 2020), (1, "22BB00", 2021),
            (2, "22BB00", 2020), (2, "22BB00", 2021), (3, "33CC00", 2020), (3, "33CC00", 2021),
            (4, "33CC00", 2021), (5, "11AA00", 2020), (6, "22BB00", 2020), (6, "22BB00", 2021)]  # fmt: skip
TRAJECTORIES = [  # pupil, begin, end (None = ongoing), product, verwijzer, aanbieder, cost
    (0, date(2020, 9, 1), date(2021, 2, 28), "45A01", "02", "Praktijk X", 1000.0),
    (0, date(2020, 10, 1), None, "41B02", "01", "Centrum Y", 3000.0),
    (1, date(2019, 5, 1), date(2020, 12, 31), "48C01", "04", "Jeugdbescherming Z", 2000.0),
    (1, date(2021, 9, 15), date(2022, 1, 10), "45A02", "02", "Praktijk X", 500.0),
    (3, date(2021, 7, 1), date(2021, 8, 31), "47A01", "06", "Jeugdbescherming Z", 800.0),
    (4, date(2021, 10, 1), date(2021, 10, 31), "46A01", "99", "Stichting W", 1500.0),
    (7, date(2020, 9, 1), date(2020, 10, 1), "45A01", "02", "Praktijk X", 100.0),
    (2, date(2020, 8, 1), date(2020, 8, 1), "40A01", "03", "Centrum Y", 50.0),
    (6, date(2022, 8, 1), date(2022, 9, 1), "45A01", "02", "Praktijk X", 10.0),
    (6, date(2021, 1, 5), date(2021, 6, 30), "50A01", "05", "Stichting V", 600.0),
    (6, date(2021, 3, 1), date(2021, 4, 1), "45A01", "01", "Praktijk U", 200.0),
]
UNTIL = date(2022, 7, 31)


def extracts():
    enrolment = enrolment_rows(
        [
            (P[p], BIRTH[p].isoformat(), "M", SCHOOLS[s][0], "00", SCHOOLS[s][1], SCHOOLS[s][2],
             f"{y}/{y + 1}")
            for p, s, y in ENROLLED
        ]
    )  # fmt: skip
    care = jeugdhulp_rows(
        [
            (P[p], b.isoformat(), e.isoformat() if e else None, prod, ref, prov, str(cost))
            for p, b, e, prod, ref, prov, cost in TRAJECTORIES
        ]
    )
    return read_enrolment(enrolment, KEY), read_jeugdhulp(care, KEY)


def age_band(age: int) -> str:
    for upper, band in zip((6, 9, 12, 15, 18), codes("leeftijd"), strict=False):
        if age < upper:
            return band
    return "18+"


def expected():
    """Independent computation: loops over pupils, trajectories and school years."""
    school_of = {(p, y): s for p, s, y in ENROLLED}
    kern = defaultdict(lambda: {"leerlingen": 0, "clienten": set(), "trajecten": 0,
                                "nieuwe_trajecten": 0, "kosten": 0.0, "leeftijd_som": 0.0})  # fmt: skip
    mix = defaultdict(Counter)
    for _, s, y in ENROLLED:
        kern[(y, s)]["leerlingen"] += 1
    for p, begin, end, product, ref, provider, cost in TRAJECTORIES:
        stop = max(min(end or UNTIL, UNTIL), begin)
        days = (stop - begin).days + 1
        for y in (2020, 2021):
            first, last = date(y, 8, 1), date(y + 1, 7, 31)
            overlap = (min(stop, last) - max(begin, first)).days + 1
            if overlap <= 0 or (p, y) not in school_of:
                continue
            k = kern[(y, school_of[(p, y)])]
            k["clienten"].add(p)
            k["trajecten"] += 1
            k["kosten"] += cost * overlap / days
            key = (y, school_of[(p, y)])
            mix[(*key, "zorgvorm")][product[:2]] += 1
            mix[(*key, "verwijzer")][ref] += 1
            mix[(*key, "aanbieder")][provider] += 1
            if first <= begin <= last:
                b = BIRTH[p]
                age = begin.year - b.year - ((begin.month, begin.day) < (b.month, b.day))
                k["nieuwe_trajecten"] += 1
                k["leeftijd_som"] += age
                mix[(*key, "leeftijd")][age_band(age)] += 1
    return kern, mix


def test_school_level_headline_counts_match():
    kern, _, _ = pipeline.raw_indicators(*extracts(), until=UNTIL)
    want, _ = expected()
    got = {
        (r["schooljaar"], r["school_id"]): r
        for r in kern.filter(pl.col("niveau") == "school").iter_rows(named=True)
    }
    assert set(got) == set(want)
    for key, w in want.items():
        g = got[key]
        assert g["leerlingen"] == w["leerlingen"]
        assert g["clienten"] == len(w["clienten"])
        assert g["trajecten"] == w["trajecten"]
        assert g["nieuwe_trajecten"] == w["nieuwe_trajecten"]
        assert g["kosten"] == pytest.approx(w["kosten"])
        assert g["leeftijd_som"] == pytest.approx(w["leeftijd_som"])


def test_type_rows_are_sums_of_their_schools():
    kern, _, _ = pipeline.raw_indicators(*extracts(), until=UNTIL)
    want, _ = expected()
    types = kern.filter(pl.col("niveau") == "schooltype")
    for (year, soort), row in {
        (r["schooljaar"], r["onderwijssoort"]): r for r in types.iter_rows(named=True)
    }.items():
        members = [w for (y, s), w in want.items() if y == year and SCHOOLS[s][2] == soort]
        assert row["leerlingen"] == sum(m["leerlingen"] for m in members)
        assert row["clienten"] == sum(len(m["clienten"]) for m in members)
        assert row["kosten"] == pytest.approx(sum(m["kosten"] for m in members))


def test_category_mixes_match_on_a_complete_grid():
    _, mix, _ = pipeline.raw_indicators(*extracts(), until=UNTIL)
    _, want = expected()
    school = mix.filter(pl.col("niveau") == "school")
    for dimension in ("zorgvorm", "verwijzer", "leeftijd"):
        part = school.filter(pl.col("dimensie") == dimension)
        # every school-year has every known category (zeros included)
        assert part.group_by("schooljaar", "school_id").len()["len"].unique().to_list() == [
            len(codes(dimension))
        ]
    for row in school.iter_rows(named=True):
        wanted = want[(row["schooljaar"], row["school_id"], row["dimensie"])]
        assert row["aantal"] == wanted.get(row["categorie"], 0), row
    for key, counter in want.items():
        got = school.filter(
            pl.col("schooljaar") == key[0],
            pl.col("school_id") == key[1],
            pl.col("dimensie") == key[2],
        )
        assert got["aantal"].sum() == sum(counter.values())


def test_largest_providers_are_ranked_per_type_and_the_rest_is_grouped():
    _, mix, _ = pipeline.raw_indicators(*extracts(), until=UNTIL)
    _, want = expected()
    po_2020 = mix.filter(
        pl.col("niveau") == "schooltype",
        pl.col("onderwijssoort") == "po",
        pl.col("schooljaar") == 2021,
        pl.col("dimensie") == "aanbieder",
    ).sort("volgorde")
    totals = Counter()
    for (y, s, d), counter in want.items():
        if y == 2021 and d == "aanbieder" and SCHOOLS[s][2] == "po":
            totals.update(counter)
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    assert po_2020["categorie"].to_list() == [name for name, _ in ranked][:5] + [OTHER_PROVIDERS]
    assert po_2020["aantal"].to_list()[:-1] == [n for _, n in ranked][:5]


def test_unlinked_and_out_of_range_trajectories_are_counted_in_coverage():
    _, _, coverage = pipeline.raw_indicators(*extracts(), until=UNTIL)
    rows = {
        r["schooljaar"]: (r["trajecten"], r["gekoppeld"]) for r in coverage.iter_rows(named=True)
    }
    # 2020: eight trajectories overlap the school year, the one of the child without enrolment
    # is not linked; 2021: four, all linked; the trajectory from August 2022 falls outside.
    assert rows == {2020: (8, 7), 2021: (4, 4)}


def test_published_numbers_equal_the_raw_numbers_wherever_shown():
    data = synthetic.extracts("gemeente", bad_fraction=0.0)
    enrolment = read_enrolment(synthetic.typed(data.enrolment), KEY)
    care = read_jeugdhulp(synthetic.typed(data.jeugdhulp), KEY)
    raw_kern, raw_mix, _ = pipeline.raw_indicators(enrolment, care)
    result = pipeline.run(synthetic.typed(data.enrolment), synthetic.typed(data.jeugdhulp), KEY)
    keys = ["schooljaar", "onderwijssoort", "niveau", "school_id"]
    joined = result.tables["kerncijfers"].join(raw_kern, on=keys, nulls_equal=True, suffix="_raw")
    for column in ("leerlingen", "clienten", "trajecten", "nieuwe_trajecten", "kosten"):
        shown = joined.filter(pl.col(column).is_not_null())
        assert shown.height > 0
        assert (shown[column] - shown[f"{column}_raw"]).abs().max() < 1e-6
    rate = joined.filter(pl.col("clienten_per_100").is_not_null())
    assert (
        rate["clienten_per_100"] - 100 * rate["clienten_raw"] / rate["leerlingen_raw"]
    ).abs().max() < 1e-9
    mix = result.tables["verdelingen"].join(
        raw_mix, on=[*keys, "dimensie", "categorie"], nulls_equal=True, suffix="_raw"
    )
    shown = mix.filter(pl.col("aantal").is_not_null())
    assert shown.height > 0 and (shown["aantal"] == shown["aantal_raw"]).all()
