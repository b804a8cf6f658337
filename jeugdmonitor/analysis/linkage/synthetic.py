"""Deterministic synthetic extracts (leerplicht enrolment + jeugdhulp) at any scale, for demos and benches.

Children are born in cohorts, go to po/sbo/so from 4 to 11 and to vo/pro/vso (or mbo from 16)
from 12 to 17, and stay at one school per phase. Each pupil-year may start jeugdhulp trajectories
(Poisson) at a rate that depends on the school type, a school effect, the school's own trend (a
few schools rise sharply), age and sex. About 30% of trajectories belong to children who are not
in the enrolment extract (under 4 or over 17), as in a real gemeente. Zorgvorm, verwijzer,
aanbieder, duration and cost follow simple conditional distributions. The values are fiction:
BSNs are random numbers that pass the 11-proef and belong to nobody.

A small share of rows is corrupted on purpose (`bad_fraction`), one known defect per row, listed
in the manifest `synthetisch.json`, so the validation path is always exercised.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from jeugdmonitor.analysis.linkage.codes import codes
from jeugdmonitor.analysis.linkage.pipeline import SYNTHETIC_MARKER
from jeugdmonitor.data.files import atomic_writes

SCHOOL_TYPES = ("po", "sbo", "so", "vo", "vso", "pro", "mbo")
AVERAGE_SIZE = {"po": 220, "sbo": 110, "so": 90, "vo": 650, "vso": 90, "pro": 250, "mbo": 900}
CARE_WEIGHT = {"po": 1.0, "sbo": 4.0, "so": 5.5, "vo": 1.2, "vso": 6.5, "pro": 3.5, "mbo": 1.4}
ENROLLED_SHARE = 0.7  # share of trajectories for children in the enrolment extract
DEFAULT_GEMEENTE = "GM0150"  # Deventer, about 100 000 inhabitants


@dataclass(frozen=True)
class Scale:
    """Size of a synthetic extract."""

    name: str
    pupils: int  # enrolled pupils per school year (approximate)
    trajectories: int  # jeugdhulp trajectories starting per year (approximate)
    first_year: int = 2019
    years: int = 5
    providers: int = 40
    certified: int = 2  # gecertificeerde instellingen (jeugdbescherming/-reclassering)


SCALES = {
    "klein": Scale("klein", 1_500, 320, providers=12, certified=2),
    "gemeente": Scale("gemeente", 15_000, 3_000),
    "national": Scale("national", 2_500_000, 500_000, providers=400, certified=15),
}

# zorgvorm probabilities (codes order of reference/linkage_codes.csv: 40 41 43 44 45 46 47 48 50)
ZORGVORM_P = {
    ("jong", False): [0.05, 0.07, 0.03, 0.04, 0.60, 0.02, 0.00, 0.08, 0.11],
    ("jong", True): [0.12, 0.20, 0.05, 0.04, 0.40, 0.02, 0.00, 0.06, 0.11],
    ("tiener", False): [0.02, 0.03, 0.05, 0.05, 0.56, 0.04, 0.06, 0.09, 0.10],
    ("tiener", True): [0.06, 0.12, 0.08, 0.06, 0.38, 0.05, 0.08, 0.08, 0.09],
}
DURATION_DAYS = [200, 240, 300, 365, 150, 30, 270, 365, 200]  # median per zorgvorm
DAY_RATE = [15.0, 60.0, 250.0, 150.0, 12.0, 300.0, 10.0, 12.0, 30.0]  # euro per day
# verwijzer probabilities (01 02 03 04 05 06 99) for care, jeugdreclassering, jeugdbescherming
VERWIJZER_P = {
    "zorg": [0.44, 0.30, 0.06, 0.00, 0.10, 0.00, 0.10],
    "47": [0.00, 0.00, 0.00, 0.25, 0.00, 0.75, 0.00],
    "48": [0.05, 0.00, 0.00, 0.65, 0.00, 0.30, 0.00],
}
SCHOOL_NAMES = {
    "po": (("OBS", "CBS", "RKBS", "Basisschool", "IKC"), (
        "De Regenboog", "De Wilgen", "Het Kompas", "De Linde", "De Vlinder", "Het Palet", "De Bron",
        "De Zonnewijzer", "Het Mozaïek", "De Klimop", "De Horizon", "De Esch", "De Boomgaard",
        "Het Anker", "De Fontein", "De Sterrenkijker", "De Kameleon", "Het Startpunt", "De Schakel",
        "De Toermalijn", "De Wereldwijzer", "Het Lichtpunt", "De Eekhoorn", "De Akker", "Het Baken",
        "De Springplank", "De Parel", "Het Kristal", "De Vuurvogel", "De Duizendpoot")),
    "sbo": (("SBO",), ("De Wingerd", "Het Hoge Land", "De Sprong", "Het Mozaïek", "De Brug")),
    "so": (("SO", "Mytylschool", "Cluster 4-school"), ("De Ruimte", "Het Speelwerk", "De Piramide", "Ambelt")),
    "vo": (("",), (
        "Alfrink College", "Etty Hillesum Lyceum", "Stedelijk Gymnasium", "Vechtdal College",
        "Thorbecke Scholengemeenschap", "Het Assink Lyceum", "Sint-Bonifatiuscollege", "Montessori College",
        "Carmel College", "Het Hooghuis", "Groenhorst", "Twents Carmel Lyceum", "Het Stedelijk",
        "Baken Park Lyceum", "Christelijk Lyceum")),
    "vso": (("VSO",), ("De Ruimte", "Het Rotsenhuis", "De Atlas", "Ambelt", "Het Kompas")),
    "pro": (("Praktijkschool",), ("De Boog", "Het Mozaïek", "Noord", "De Rijnlands", "Het Praktijkcollege")),
    "mbo": (("",), ("ROC Aventus", "Saxion mbo", "ROC van Twente", "Deltion College", "Landstede mbo")),
}  # fmt: skip
PROVIDER_WORDS = (
    ("Stichting", "Zorggroep", "Praktijk", "Centrum", "GGZ", "Jeugdhulp"),
    ("Horizon", "Kompas", "Lindenhout", "Het Baken", "De Waarden", "Driestroom", "Karakter", "Accare",
     "Pactum", "Entrea", "Ambiq", "Youké", "De Hoenderloo", "Timon", "Kwadraad", "Sterk Huis",
     "De Bascule", "Ixta Noa", "Lentis", "Yes We Can", "Pluryn", "Elker", "Trajectum", "Bijzonder Jeugdwerk"),
)  # fmt: skip
CERTIFIED = (
    "Jeugdbescherming Regio {}",
    "William Schrikker Stichting {}",
    "Leger des Heils JB&JR {}",
)
BAD_KINDS = {
    "inschrijvingen": (
        "bsn_elfproef", "bsn_vorm", "bsn_ontbreekt", "geboortedatum_ongeldig", "leeftijd_onwaarschijnlijk",
        "geslacht_onbekend", "brin_vorm", "schoolnaam_ontbreekt", "onderwijssoort_onbekend", "gemeente_vorm",
        "schooljaar_ongeldig", "inschrijving_dubbel"),
    "jeugdhulp": (
        "bsn_elfproef", "bsn_vorm", "bsn_ontbreekt", "begindatum_ongeldig", "einddatum_voor_begin",
        "zorgvorm_onbekend", "verwijzer_onbekend", "aanbieder_ontbreekt", "kosten_ongeldig",
        "kosten_negatief", "traject_dubbel"),
}  # fmt: skip


def valid_bsns(n: int, offset: int = 0) -> np.ndarray:
    """`n` distinct 9-digit numbers passing the 11-proef (scrambled, so no visible pattern)."""
    m = int(n * 1.15) + 64
    i = np.arange(offset, offset + m, dtype=np.int64)
    prefix = (i * 7_919_813 + 12_345_677) % 100_000_000  # bijective on 0..10^8-1
    digits = (prefix[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    check = (digits * np.arange(9, 1, -1)).sum(1) % 11
    ok = (check < 10) & (prefix > 0)
    found = prefix[ok] * 10 + check[ok]
    if found.size < n:
        raise ValueError("not enough BSNs generated")
    return found[:n]


def _choice(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one category per row from the probability row `probs[rows]` (vectorised per group)."""
    cumulative = np.cumsum(np.atleast_2d(probs), axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(rows.size)
    out = np.empty(rows.size, dtype=np.int64)
    for group in np.unique(rows):
        mask = rows == group
        out[mask] = np.searchsorted(cumulative[group], u[mask], side="left")
    return np.minimum(out, cumulative.shape[1] - 1)


def _gemeenten(count: int, rng: np.random.Generator) -> list[str]:
    """Real gemeente codes from the bundled data when present, else made-up GM codes."""
    from jeugdmonitor.data.store import default_data_dir

    path = default_data_dir() / "regions.parquet"
    if path.is_file():
        found = pl.read_parquet(path).filter(pl.col("type") == "gemeente").get_column("code").sort()
        return found.to_list()
    return [f"GM{9000 + i:04d}" for i in range(count)]


def _schools(scale: Scale, pupils: dict[str, int], rng: np.random.Generator) -> pl.DataFrame:
    """School table: id, BRIN, vestiging, name, onderwijssoort, size weight, gemeente, trend."""
    frames = []
    gemeenten = [DEFAULT_GEMEENTE] if scale.name != "national" else _gemeenten(342, rng)
    start = 0
    for kind in SCHOOL_TYPES:
        n = max(1, round(pupils[kind] / AVERAGE_SIZE[kind]))
        prefixes, cores = SCHOOL_NAMES[kind]
        pre = np.asarray(prefixes)[rng.integers(len(prefixes), size=n)]
        core = np.asarray(cores)[rng.permutation(max(n, len(cores)))[:n] % len(cores)]
        names = [f"{p} {c}".strip() for p, c in zip(pre, core, strict=True)]
        rising = rng.random(n) < 0.08
        frames.append(
            pl.DataFrame(
                {
                    "school": np.arange(start, start + n),
                    "onderwijssoort": [kind] * n,
                    "schoolnaam": names,
                    "gewicht": rng.lognormal(0, 0.5, n),
                    "effect": rng.lognormal(0, 0.35, n),
                    "trend": rng.normal(0.03, 0.04, n) + rising * rng.uniform(0.12, 0.25, n),
                    "gemeente": np.asarray(gemeenten)[rng.integers(len(gemeenten), size=n)],
                }
            )
        )
        start += n
    schools = pl.concat(frames)
    index = rng.permutation(26 * 26 * 100)[: schools.height]
    letters = [chr(65 + (i // 100) // 26) + chr(65 + (i // 100) % 26) for i in index]
    brin = [f"{i % 100:02d}{abc}" for i, abc in zip(index, letters, strict=True)]
    vestiging = np.where(
        (schools["onderwijssoort"] == "vo").to_numpy() & (rng.random(schools.height) < 0.3),
        "01",
        "00",
    )
    return schools.with_columns(pl.Series("brin", brin), pl.Series("vestiging", vestiging))


@dataclass
class _Children:
    bsn: np.ndarray
    birth: np.ndarray  # datetime64[D]
    sex: np.ndarray
    po_kind: np.ndarray  # index into SCHOOL_TYPES
    vo_kind: np.ndarray
    vmbo: np.ndarray
    school: dict[str, np.ndarray]  # per kind: the school index (-1 when never in that kind)


def _children(scale: Scale, rng: np.random.Generator) -> _Children:
    cohorts = scale.years + 14
    per_cohort = scale.pupils / 14
    n = int(per_cohort * cohorts)
    first_birth = scale.first_year - 18
    birth = np.array([f"{first_birth}-01-01"], dtype="datetime64[D]") + rng.integers(
        0, 365 * cohorts, n
    ).astype("timedelta64[D]")
    sex = np.asarray(["M", "V", "O"])[
        _choice(rng, np.array([[0.508, 0.4915, 0.0005]]), np.zeros(n, int))
    ]
    t = {k: i for i, k in enumerate(SCHOOL_TYPES)}
    po_kind = np.asarray([t["po"], t["sbo"], t["so"]])[
        _choice(rng, np.array([[0.957, 0.025, 0.018]]), np.zeros(n, int))
    ]
    vo_p = np.array([[0.965, 0.015, 0.02], [0.45, 0.15, 0.40], [0.10, 0.80, 0.10]])
    row = np.select([po_kind == t["sbo"], po_kind == t["so"]], [1, 2], 0)
    vo_kind = np.asarray([t["vo"], t["vso"], t["pro"]])[_choice(rng, vo_p, row)]
    vmbo = (vo_kind == t["vo"]) & (rng.random(n) < 0.45)
    bsn = valid_bsns(n)
    return _Children(bsn, birth, sex, po_kind, vo_kind, vmbo, {})


def _phase_kind(ch: _Children, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Age on 1 October of `year` and the onderwijssoort index per child (-1 = not enrolled)."""
    birth_year = ch.birth.astype("datetime64[Y]").astype(int) + 1970
    month = ch.birth.astype("datetime64[M]").astype(int) % 12 + 1
    age = year - birth_year - (month >= 10)
    kind = np.where(age <= 11, ch.po_kind, ch.vo_kind)
    kind = np.where(ch.vmbo & (age >= 16), SCHOOL_TYPES.index("mbo"), kind)
    return age, np.where((age >= 4) & (age <= 17), kind, -1)


def _assign_schools(ch: _Children, schools: pl.DataFrame, rng: np.random.Generator) -> None:
    kinds = schools["onderwijssoort"].to_numpy()
    weights = schools["gewicht"].to_numpy()
    for k, kind in enumerate(SCHOOL_TYPES):
        ids = np.flatnonzero(kinds == kind)
        p = weights[ids] / weights[ids].sum()
        ch.school[kind] = ids[np.searchsorted(np.cumsum(p), rng.random(ch.bsn.size) * 0.999999)]
        ch.school[kind] = np.where(
            (ch.po_kind == k) | (ch.vo_kind == k) | (kind == "mbo"), ch.school[kind], -1
        )


def _pupil_years(scale: Scale, ch: _Children) -> pl.DataFrame:
    """One row per enrolled child per school year: child index, year, age, kind, school."""
    parts = []
    for year in range(scale.first_year, scale.first_year + scale.years):
        age, kind = _phase_kind(ch, year)
        idx = np.flatnonzero(kind >= 0)
        school = np.full(idx.size, -1)
        for k, name in enumerate(SCHOOL_TYPES):
            sel = kind[idx] == k
            school[sel] = ch.school[name][idx[sel]]
        parts.append(
            pl.DataFrame(
                {"child": idx, "schooljaar": np.full(idx.size, year, np.int32), "leeftijd": age[idx],
                 "soort": kind[idx].astype(np.int8), "school": school}
            )
        )  # fmt: skip
    return pl.concat(parts)


def _enrolment(
    scale: Scale, ch: _Children, years: pl.DataFrame, schools: pl.DataFrame
) -> pl.DataFrame:
    idx = years["child"].to_numpy()
    school_cols = schools.select(
        "school", "brin", "vestiging", "schoolnaam", "onderwijssoort", "gemeente"
    )
    return (
        years.select("school", "schooljaar")
        .with_columns(
            pl.Series("bsn", ch.bsn[idx]).cast(pl.String).str.zfill(9),
            pl.Series("geboortedatum", ch.birth[idx]),
            pl.Series("geslacht", ch.sex[idx]),
        )
        .join(school_cols, on="school", how="left", maintain_order="left")
        .select(
            "bsn", "geboortedatum", "geslacht", "brin", "vestiging", "schoolnaam", "onderwijssoort",
            "gemeente",
            pl.format("{}/{}", pl.col("schooljaar"), pl.col("schooljaar") + 1).alias("schooljaar"),
        )
    )  # fmt: skip


def _trajectories(
    scale: Scale,
    ch: _Children,
    years: pl.DataFrame,
    schools: pl.DataFrame,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Jeugdhulp trajectories for pupils (Poisson per pupil-year) and for non-pupils."""
    kind = years["soort"].to_numpy()
    school = years["school"].to_numpy()
    year = years["schooljaar"].to_numpy()
    age = years["leeftijd"].to_numpy()
    child = years["child"].to_numpy()
    weight = np.asarray([CARE_WEIGHT[k] for k in SCHOOL_TYPES])[kind]
    weight *= schools["effect"].to_numpy()[school]
    weight *= np.exp(schools["trend"].to_numpy()[school] * (year - scale.first_year))
    weight *= np.where(age <= 5, 0.6, np.where(age >= 16, 1.2, 1.0))
    weight *= np.where(ch.sex[child] == "M", 1.25, 0.8)
    # the first enrolment year also seeds trajectories that started the school year before
    first = year == scale.first_year
    weight = np.concatenate([weight, weight[first]])
    start_year = np.concatenate([year, year[first] - 1])
    owner = np.concatenate([child, child[first]])
    owner_age = np.concatenate([age, age[first] - 1])
    regular = [SCHOOL_TYPES.index(k) for k in ("po", "vo", "mbo")]
    special = ~np.isin(np.concatenate([kind, kind[first]]), regular)
    per_year = scale.trajectories * ENROLLED_SHARE
    lam = weight * per_year * (scale.years + 1) / weight.sum()
    count = rng.poisson(lam)
    pick = np.repeat(np.arange(lam.size), count)
    # trajectories of children outside the extract (0-3 and 18-22): fresh BSNs
    n_other = int(scale.trajectories * (1 - ENROLLED_SHARE) * (scale.years + 1))
    others = valid_bsns(max(1, n_other // 2), offset=ch.bsn.size * 2)
    other_bsn = others[rng.integers(others.size, size=n_other)]
    other_age = np.where(
        rng.random(n_other) < 0.5, rng.integers(0, 4, n_other), rng.integers(18, 23, n_other)
    )
    other_year = rng.integers(scale.first_year - 1, scale.first_year + scale.years, n_other)

    bsn = np.concatenate([ch.bsn[owner[pick]], other_bsn])
    syear = np.concatenate([start_year[pick], other_year])
    t_age = np.concatenate([owner_age[pick], other_age])
    t_special = np.concatenate([special[pick], np.zeros(n_other, bool)])
    n = bsn.size
    first_day = np.asarray(
        [
            np.datetime64(f"{y}-08-01")
            for y in range(scale.first_year - 1, scale.first_year + scale.years)
        ]
    )
    start = first_day[syear - scale.first_year + 1] + rng.integers(0, 365, n).astype(
        "timedelta64[D]"
    )
    group = np.where(t_age >= 12, 2, 0) + t_special
    probs = np.asarray([ZORGVORM_P[("jong", False)], ZORGVORM_P[("jong", True)],
                        ZORGVORM_P[("tiener", False)], ZORGVORM_P[("tiener", True)]])  # fmt: skip
    zv = _choice(rng, probs, group)
    zv_codes = np.asarray(codes("zorgvorm"))
    letter = rng.integers(3, size=n)
    number = rng.integers(1, 10, n)
    vz_group = np.where(zv_codes[zv] == "47", 1, np.where(zv_codes[zv] == "48", 2, 0))
    vz = _choice(
        rng, np.asarray([VERWIJZER_P["zorg"], VERWIJZER_P["47"], VERWIJZER_P["48"]]), vz_group
    )
    duration = np.maximum(1, rng.lognormal(np.log(np.asarray(DURATION_DAYS)[zv]), 0.7)).astype(int)
    end = start + duration.astype("timedelta64[D]")
    extract_date = np.datetime64(date(scale.first_year + scale.years, 7, 31))
    billed = np.minimum(end, extract_date) - start
    cost = np.round(
        np.asarray(DAY_RATE)[zv] * (billed.astype(int) + 1) * rng.lognormal(0, 0.3, n), 2
    )
    providers = _providers(scale, rng)
    regular = providers["regular"]
    p = 1.0 / np.arange(1, regular.size + 1) ** 1.1
    prov = _choice(rng, p / p.sum(), np.zeros(n, dtype=np.int64))
    court = np.isin(zv, [list(zv_codes).index(c) for c in ("47", "48")])
    certified = regular.size + rng.integers(providers["certified"].size, size=n)
    prov = np.where(court, certified, prov)
    names = pl.Series(np.concatenate([regular, providers["certified"]]))

    def lookup(values: list[str], index: np.ndarray) -> pl.Series:
        return pl.Series(values).gather(pl.Series(index))

    frame = pl.DataFrame(
        {
            "bsn": pl.Series(bsn).cast(pl.String).str.zfill(9),
            "begindatum": start,
            "einddatum": pl.Series(end).cast(pl.Date),
            "zorgvorm": lookup(list(zv_codes), zv),
            "verwijzer": lookup(codes("verwijzer"), vz),
            "aanbieder": names.gather(pl.Series(prov)),
            "kosten": cost,
        }
    )
    product = [pl.Series(["A", "B", "C"]).gather(pl.Series(letter)), pl.Series(number)]
    frame = frame.with_columns(
        pl.concat_str(
            pl.col("zorgvorm"), pl.lit(product[0]), pl.lit(product[1]).cast(pl.String).str.zfill(2)
        ),
        pl.when(pl.col("einddatum") <= pl.lit(date(scale.first_year + scale.years, 7, 31)))
        .then("einddatum")
        .alias("einddatum"),
    )
    return frame.unique(
        ["bsn", "begindatum", "zorgvorm", "aanbieder"], keep="first", maintain_order=True
    )


def _providers(scale: Scale, rng: np.random.Generator) -> dict[str, np.ndarray]:
    prefix, core = PROVIDER_WORDS
    names: list[str] = []
    seen = set()
    i = 0
    while len(names) < scale.providers:
        name = f"{prefix[rng.integers(len(prefix))]} {core[rng.integers(len(core))]}"
        if i >= len(prefix) * len(core):
            name = f"{name} {i}"
        if name not in seen:
            seen.add(name)
            names.append(name)
        i += 1
    certified = [
        CERTIFIED[j % len(CERTIFIED)].format(j // len(CERTIFIED) + 1)
        for j in range(scale.certified)
    ]
    return {"regular": np.asarray(names), "certified": np.asarray(certified)}


def _corrupt(
    frame: pl.DataFrame, kind: str, fraction: float, rng: np.random.Generator
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Give a `fraction` of rows one known defect each; duplicates are appended copies.

    Returns the corrupted frame plus a text column per date/amount for the CSV (invalid text that
    a typed parquet column cannot hold becomes null there).
    """
    kinds = BAD_KINDS[kind]
    k = int(round(fraction * frame.height))
    counts = dict.fromkeys(kinds, 0)
    frame = frame.with_row_index("_rij")
    if k == 0:
        return frame.drop("_rij"), counts
    rows = rng.choice(frame.height, size=min(k, frame.height), replace=False)
    which = np.asarray(kinds)[np.arange(rows.size) % len(kinds)]
    for name in kinds:
        counts[name] = int((which == name).sum())
    hit = {
        name: pl.col("_rij").is_in(pl.Series(rows[which == name], dtype=pl.UInt32).implode())
        for name in kinds
    }

    def chain(
        column: str, cases: list[tuple[str, pl.Expr]], otherwise: pl.Expr | None = None
    ) -> pl.Expr:
        expr = None
        for name, value in cases:
            expr = (pl.when if expr is None else expr.when)(hit[name]).then(value)
        return expr.otherwise(pl.col(column) if otherwise is None else otherwise).alias(column)

    bsn = pl.col("bsn")
    last = bsn.str.slice(8, 1).cast(pl.Int32)
    none = pl.lit(None, pl.String)
    out = frame.with_columns(
        chain("bsn", [("bsn_elfproef", pl.concat_str(bsn.str.slice(0, 8), ((last + 1) % 10).cast(pl.String))),
                      ("bsn_vorm", bsn.str.slice(0, 5)), ("bsn_ontbreekt", none)])
    )  # fmt: skip
    if kind == "inschrijvingen":
        out = out.with_columns(
            chain("geboortedatum", [("geboortedatum_ongeldig", pl.lit(None, pl.Date)),
                                    ("leeftijd_onwaarschijnlijk", pl.col("geboortedatum").dt.offset_by("30y"))]),
            chain("_tekst_geboortedatum", [("geboortedatum_ongeldig", pl.lit("31-02-2012"))], none),
            chain("geslacht", [("geslacht_onbekend", pl.lit("Q"))]),
            chain("brin", [("brin_vorm", pl.lit("1A2B"))]),
            chain("schoolnaam", [("schoolnaam_ontbreekt", none)]),
            chain("onderwijssoort", [("onderwijssoort_onbekend", pl.lit("havo"))]),
            chain("gemeente", [("gemeente_vorm", pl.col("gemeente").str.slice(2))]),
            chain("schooljaar", [("schooljaar_ongeldig", pl.col("schooljaar").str.slice(0, 5) + "2100")]),
        )  # fmt: skip
        dup = out.filter(hit["inschrijving_dubbel"])
    else:
        out = out.with_columns(
            chain("begindatum", [("begindatum_ongeldig", pl.lit(None, pl.Date))]),
            chain("_tekst_begindatum", [("begindatum_ongeldig", pl.lit("2020-13-45"))], none),
            chain("einddatum", [("einddatum_voor_begin", pl.col("begindatum").dt.offset_by("-30d"))]),
            chain("zorgvorm", [("zorgvorm_onbekend", pl.lit("99X01"))]),
            chain("verwijzer", [("verwijzer_onbekend", pl.lit("07"))]),
            chain("aanbieder", [("aanbieder_ontbreekt", none)]),
            chain("kosten", [("kosten_ongeldig", pl.lit(None, pl.Float64)),
                             ("kosten_negatief", -pl.col("kosten") - 1)]),
            chain("_tekst_kosten", [("kosten_ongeldig", pl.lit("n.v.t."))], none),
        )  # fmt: skip
        dup = out.filter(hit["traject_dubbel"])
    # the original rows marked as duplicates stay valid; their copies (appended) are the bad rows
    return pl.concat([out, dup], how="diagonal_relaxed").drop("_rij"), counts


def _csv(frame: pl.DataFrame, path: Path) -> None:
    """Write like a Dutch export: ';' separator, dd-mm-jjjj dates, decimal comma."""
    texts = [c for c in frame.columns if c.startswith("_tekst_")]
    cols = []
    for name in frame.columns:
        if name.startswith("_tekst_"):
            continue
        value = pl.col(name)
        if frame.schema[name] == pl.Date:
            value = value.dt.strftime("%d-%m-%Y")
        elif frame.schema[name] == pl.Float64:
            value = value.round(2).cast(pl.String).str.replace(".", ",", literal=True)
        if f"_tekst_{name}" in texts:
            value = pl.coalesce(pl.col(f"_tekst_{name}"), value)
        cols.append(value.alias(name))
    frame.select(cols).write_csv(path, separator=";")


@dataclass(frozen=True)
class Synthetic:
    """Synthetic extracts in memory plus the manifest (what was generated, which rows are bad)."""

    enrolment: pl.DataFrame  # typed columns; `_tekst_*` columns hold invalid text for the CSV
    jeugdhulp: pl.DataFrame
    manifest: dict


def extracts(
    scale: str | Scale = "gemeente", seed: int = 3, bad_fraction: float = 0.002
) -> Synthetic:
    """Generate both extracts in memory (deterministic for a given scale, seed and bad_fraction)."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    if not 0 <= bad_fraction < 0.5:
        raise ValueError("bad_fraction must lie in [0, 0.5)")
    rng = np.random.default_rng(seed)
    children = _children(scale, rng)
    middle = scale.first_year + scale.years // 2
    _, kinds = _phase_kind(children, middle)
    pupils = {k: int((kinds == i).sum()) for i, k in enumerate(SCHOOL_TYPES)}
    schools = _schools(scale, pupils, rng)
    _assign_schools(children, schools, rng)
    years = _pupil_years(scale, children)
    enrolment = _enrolment(scale, children, years, schools)
    care = _trajectories(scale, children, years, schools, rng)
    enrolment, bad_enrolment = _corrupt(enrolment, "inschrijvingen", bad_fraction, rng)
    care, bad_care = _corrupt(care, "jeugdhulp", bad_fraction, rng)
    manifest = {
        "let_op": "Synthetische gegevens: fictieve personen, BSN's zijn willekeurige nummers.",
        "schaal": asdict(scale),
        "seed": seed,
        "bad_fraction": bad_fraction,
        "rijen": {"inschrijvingen": enrolment.height, "jeugdhulp": care.height},
        "scholen": schools.height,
        "afgekeurd": {"inschrijvingen": bad_enrolment, "jeugdhulp": bad_care},
    }
    return Synthetic(enrolment, care, manifest)


def typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The extract as a typed table (what the parquet file holds; invalid text becomes null)."""
    return frame.select([c for c in frame.columns if not c.startswith("_tekst_")])


def generate(
    out: Path | str,
    scale: str | Scale = "gemeente",
    seed: int = 3,
    bad_fraction: float = 0.002,
    formats: tuple[str, ...] = ("csv", "parquet"),
) -> dict:
    """Write `inschrijvingen` and `jeugdhulp` extracts (+ manifest) to `out`; returns the manifest."""
    if unknown := set(formats) - {"csv", "parquet"}:
        raise ValueError(f"unknown format(s): {', '.join(sorted(unknown))}")
    data = extracts(scale, seed, bad_fraction)
    folder = Path(out)
    manifest = data.manifest
    writers = {folder / SYNTHETIC_MARKER: lambda p: p.write_text(json.dumps(manifest, indent=2))}
    for name, frame in (("inschrijvingen", data.enrolment), ("jeugdhulp", data.jeugdhulp)):
        if "csv" in formats:
            writers[folder / f"{name}.csv"] = lambda p, f=frame: _csv(f, p)
        if "parquet" in formats:
            writers[folder / f"{name}.parquet"] = lambda p, f=frame: typed(f).write_parquet(p)
    atomic_writes(writers)
    return manifest
