"""Simulated (demo) indicator values for 2020-2024, flagged `is_simulated`.

No youth-care, income or household figures per gemeente are available offline, so the bundled
indicators are simulated. The simulation is seeded (deterministic) and calibrated: for every
indicator, breakdown and year the intercept is solved so that the national expected rate equals
the documented target in `reference/demo_targets.csv`. Between gemeenten it varies with structure:

- urbanity `u` = standardised log population density (from the real map and population);
- a deprivation factor correlated with urbanity drives poverty, single parents and achterstand,
  so the risk factors correlate with each other;
- care use depends on those simulated risk rates plus a local "policy" effect the model cannot see;
- counts are binomial draws, so small gemeenten are noisier;
- national trends follow the target's change per year, plus a small local drift.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from jeugdmonitor.files import reference_csv

SEED = 20_240_101
YEARS = tuple(range(2020, 2025))
AGES = ("0-4", "4-12", "12-18")
DEMO_SOURCE = "Gesimuleerd (demo), gekalibreerd op landelijke niveaus"
ONDERWIJSSOORTEN = ("po", "sbo", "so", "vo", "vso", "pro", "mbo")
# Share of 4-11 year olds in sbo/so, and of 12-17 year olds in vso/pro/mbo (DUO 2020, rounded).
PUPIL_RATES = {"sbo": 0.024, "so": 0.023, "vso": 0.033, "pro": 0.025, "mbo": 0.200}
# Share of youths with jeugdbescherming/-reclassering who have no jeugdhulp (union → jeugdzorg).
JB_JR_WITHOUT_JH = 0.35
# A drawn national rate may differ this much (as a fraction) from its target before a redraw.
NATIONAL_TOLERANCE = 0.002


def load_targets() -> pl.DataFrame:
    """The documented national targets (percentages) per indicator and breakdown, 2020 + change/yr."""
    return reference_csv(
        "demo_targets", schema_overrides={"target_2020": pl.Float64, "change_per_year": pl.Float64}
    )


def target_table(targets: pl.DataFrame) -> pl.DataFrame:
    """Targets expanded to one row per year: indicator, breakdown, year, target (%)."""
    return (
        targets.join(pl.DataFrame({"year": list(YEARS)}), how="cross")
        .with_columns(
            target=(
                pl.col("target_2020") + pl.col("change_per_year") * (pl.col("year") - YEARS[0])
            ).round(4)
        )
        .select("indicator", "breakdown", "year", "target")
    )


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def calibrate(offset: np.ndarray, n: np.ndarray, target: float) -> np.ndarray:
    """Probabilities expit(c + offset) with c solved so the n-weighted mean equals `target`."""
    lo, hi = -30.0, 30.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if np.dot(n, _expit(mid + offset)) / n.sum() < target:
            lo = mid
        else:
            hi = mid
    return _expit((lo + hi) / 2 + offset)


class _Sim:
    """Holds the generator and the per-gemeente latent structure while the tables are drawn."""

    def __init__(
        self,
        codes: list[str],
        density: np.ndarray,
        youth: dict[str, np.ndarray],
        targets: pl.DataFrame,
    ) -> None:
        self.rng = np.random.default_rng(SEED)
        self.codes = codes
        self.youth = youth
        self.g = len(codes)
        self.targets = {
            (r["indicator"], r["breakdown"]): (r["target_2020"], r["change_per_year"])
            for r in targets.iter_rows(named=True)
        }
        normal = self.rng.standard_normal
        self.u = _z(np.log(density))
        self.dep = 0.5 * self.u + np.sqrt(1 - 0.5**2) * normal(self.g)
        self.fam = 0.5 * self.dep + 0.3 * self.u + 0.8 * normal(self.g)
        self.policy = normal(self.g)  # local care-use culture, invisible to any model
        self.policy_jb = normal(self.g)
        self.slope = 0.03 * normal(self.g)  # local drift in logit per year
        self.rows: list[pl.DataFrame] = []

    def target(self, indicator: str, breakdown: str, year: int) -> float:
        base, change = self.targets[(indicator, breakdown)]
        return (base + change * (year - YEARS[0])) / 100.0

    def draw(
        self,
        indicator: str,
        breakdown: str,
        year: int,
        offset: np.ndarray,
        n: np.ndarray,
        rate: float | None = None,
    ) -> np.ndarray:
        """Binomial counts with a calibrated national rate; returns the numerators."""
        t = year - YEARS[0]
        target = self.target(indicator, breakdown, year) if rate is None else rate
        p = calibrate(offset + self.slope * t, n.astype(float), target)
        # Condition on the national total: redraw (deterministically) while the national rate
        # strays more than NATIONAL_TOLERANCE from the target, so documented levels always hold.
        for _ in range(100):
            num = self.rng.binomial(n, p)
            if abs(num.sum() / n.sum() - target) <= NATIONAL_TOLERANCE:
                break
        return num

    def emit(
        self, indicator: str, breakdown: str, year: int, num: np.ndarray, den: np.ndarray
    ) -> None:
        self.rows.append(
            pl.DataFrame(
                {
                    "indicator": indicator,
                    "gemeente_code": self.codes,
                    "year": year,
                    "breakdown": breakdown,
                    "numerator": num.astype(np.int64),
                    "denominator": den.astype(np.int64),
                }
            )
        )


def simulate(gemeenten: pl.DataFrame, youth: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """All demo indicators: one row per indicator × gemeente × year × breakdown, counts only.

    `gemeenten` has code, area_km2 and population; `youth` has gemeente_code, age_group, population.
    """
    gm = gemeenten.sort("code")
    codes = gm["code"].to_list()
    pivot = youth.pivot(on="age_group", index="gemeente_code", values="population").sort(
        "gemeente_code"
    )
    ages = {a: pivot[a].to_numpy().astype(np.int64) for a in AGES}
    density = (gm["population"] / gm["area_km2"]).to_numpy()
    s = _Sim(codes, density, ages, targets)
    rng, normal = s.rng, s.rng.standard_normal
    g = s.g

    # Risk factors (eerder signaleren); the gemeente effect is shared by all age groups.
    risk_offset = {
        "armoede": 0.55 * s.dep + 0.25 * s.u,
        "eenoudergezin": 0.30 * s.dep + 0.25 * s.u + 0.15 * s.fam,
    }
    # Age-specific gemeente deviations are drawn once, so they persist over the years.
    risk_age = {
        (ind, age): off + 0.05 * normal(g) for ind, off in risk_offset.items() for age in AGES
    }
    risk_rate: dict[str, np.ndarray] = {}
    for year in YEARS:
        for ind in risk_offset:
            nums = {}
            for age in AGES:
                nums[age] = s.draw(ind, f"age={age}", year, risk_age[(ind, age)], ages[age])
                s.emit(ind, f"age={age}", year, nums[age], ages[age])
            total_num = sum(nums.values())
            total_den = sum(ages.values())
            s.emit(ind, "all", year, total_num, total_den)
            if year == YEARS[0]:
                risk_rate[ind] = total_num / total_den

    # Pupils per onderwijssoort (denominators for several indicators), per year.
    p1, p2 = ages["4-12"], ages["12-18"]
    po_vo_total = p1.sum() + (1 - PUPIL_RATES["mbo"]) * p2.sum()
    pupil_offset = {
        "sbo": 0.25 * s.dep + 0.2 * normal(g),
        "so": 0.15 * s.dep + 0.2 * normal(g),
        "vso": 0.20 * s.dep + 0.2 * normal(g),
        "pro": 0.40 * s.dep + 0.2 * normal(g),
        "mbo": 0.25 * s.dep - 0.10 * s.u + 0.1 * normal(g),
    }
    pupils: dict[int, dict[str, np.ndarray]] = {}
    for year in YEARS:
        # national pupils per soort: special education from its share of all po+vo pupils,
        # pro and mbo from the 12-17 year olds; each is drawn from what is left of its age group
        national = {
            k: s.target("speciaal_onderwijs", f"type={k}", year) * po_vo_total
            for k in ("sbo", "so", "vso")
        } | {k: PUPIL_RATES[k] * p2.sum() for k in ("pro", "mbo")}
        left = {"4-12": p1, "12-18": p2}
        drawn = {}
        for soort, pool in (("sbo", "4-12"), ("so", "4-12"), ("vso", "12-18"), ("pro", "12-18"),
                            ("mbo", "12-18")):  # fmt: skip
            n = left[pool]
            drawn[soort] = s.draw("pupils", soort, year, pupil_offset[soort], n,
                                  rate=national[soort] / n.sum())  # fmt: skip
            left[pool] = n - drawn[soort]
        rest = {"po": left["4-12"], "vo": left["12-18"]}
        pupils[year] = {k: rest.get(k, drawn.get(k)) for k in ONDERWIJSSOORTEN}
        den = sum(pupils[year][k] for k in ("po", "sbo", "so", "vo", "vso", "pro"))
        for k in ("sbo", "so", "vso"):
            s.emit("speciaal_onderwijs", f"type={k}", year, pupils[year][k], den)
        s.emit("speciaal_onderwijs", "all", year, drawn["sbo"] + drawn["so"] + drawn["vso"], den)

    # Achterstandsleerlingen among po+sbo pupils.
    ach_offset = 0.70 * s.dep + 0.30 * s.u + 0.15 * normal(g)
    for year in YEARS:
        den = pupils[year]["po"] + pupils[year]["sbo"]
        num = s.draw("achterstandsleerlingen", "age=4-12", year, ach_offset, den)
        s.emit("achterstandsleerlingen", "age=4-12", year, num, den)
        if year == YEARS[0]:
            risk_rate["achterstand"] = num / den

    # Care use depends on the (simulated) risk rates plus an invisible local policy effect.
    za, ze, zach = (
        _z(risk_rate["armoede"]),
        _z(risk_rate["eenoudergezin"]),
        _z(risk_rate["achterstand"]),
    )
    care_offset = {
        "jeugdhulp": 0.22 * za + 0.16 * ze + 0.06 * zach - 0.05 * s.u + 0.12 * s.policy,
        "jeugdbescherming": 0.45 * za + 0.30 * ze + 0.20 * s.policy_jb,
        "jeugdreclassering": 0.35 * za + 0.20 * ze + 0.25 * s.u + 0.20 * s.policy_jb,
    }
    total_den = sum(ages.values())
    care_age = {(i, a): off + 0.05 * normal(g) for i, off in care_offset.items() for a in AGES}
    for year in YEARS:
        counts: dict[str, dict[str, np.ndarray]] = {}
        for ind in care_offset:
            counts[ind] = {}
            for age in AGES:
                if ind == "jeugdreclassering" and age != "12-18":
                    continue
                counts[ind][age] = s.draw(ind, f"age={age}", year, care_age[(ind, age)], ages[age])
                s.emit(ind, f"age={age}", year, counts[ind][age], ages[age])
            s.emit(ind, "all", year, sum(counts[ind].values()), total_den)
        # jeugdzorg = union: everyone with jeugdhulp, plus the jb/jr clients without jeugdhulp.
        jz_total = np.zeros(g, dtype=np.int64)
        for age in AGES:
            jb_jr = counts["jeugdbescherming"][age] + counts["jeugdreclassering"].get(age, 0)
            extra = rng.binomial(jb_jr, JB_JR_WITHOUT_JH)
            jz = np.minimum(counts["jeugdhulp"][age] + extra, ages[age])
            s.emit("jeugdzorg", f"age={age}", year, jz, ages[age])
            jz_total += jz
        s.emit("jeugdzorg", "all", year, jz_total, total_den)

    # Jeugdhulp per zorgvorm (for the expected-use model), over all 0-18 year olds.
    jh, jb = care_offset["jeugdhulp"], care_offset["jeugdbescherming"]
    local_team = normal(g)
    zorgvorm_offset = {
        "lokaal_team": 0.8 * jh + 0.35 * local_team,
        "ambulant": jh - 0.15 * local_team + 0.1 * normal(g),
        "pleegzorg": 0.8 * jb + 0.15 * normal(g),
        "jeugdzorgplus": 0.9 * jb + 0.2 * s.u + 0.2 * normal(g),
        "instelling": 0.7 * jb + 0.3 * jh + 0.15 * normal(g),
        "jeugd_ggz": 0.8 * jh + 0.20 * s.u + 0.1 * normal(g),
        "lvb": 0.5 * jh + 0.25 * zach + 0.15 * normal(g),
    }
    for year in YEARS:
        for form, off in zorgvorm_offset.items():
            num = s.draw("jeugdhulp_zorgvorm", f"zorgvorm={form}", year, off, total_den)
            s.emit("jeugdhulp_zorgvorm", f"zorgvorm={form}", year, num, total_den)

    # Jeugdzorg per onderwijssoort follows the gemeente's overall care propensity.
    soort_offset = {k: care_offset["jeugdhulp"] + 0.1 * normal(g) for k in pupils[YEARS[0]]}
    for year in YEARS:
        for soort, n in pupils[year].items():
            num = s.draw(
                "jeugdzorg_onderwijssoort", f"onderwijssoort={soort}", year, soort_offset[soort], n
            )
            s.emit("jeugdzorg_onderwijssoort", f"onderwijssoort={soort}", year, num, n)

    # Problem areas among 4-18 year olds.
    den = p1 + p2
    problem_offset = {
        "emotioneel": 0.15 * s.dep + 0.10 * s.u,
        "gedrag": 0.25 * s.dep,
        "aandacht": 0.15 * s.dep,
        "leeftijdsgenoten": 0.10 * s.dep,
        "ontwikkeling": 0.05 * s.dep,
        "opvoeding": 0.20 * s.dep + 0.25 * s.fam,
    }
    problem_offset = {k: v + 0.12 * normal(g) for k, v in problem_offset.items()}
    for year in YEARS:
        for problem, off in problem_offset.items():
            num = s.draw("problematiek", f"probleem={problem}", year, off, den)
            s.emit("problematiek", f"probleem={problem}", year, num, den)

    return (
        pl.concat(s.rows)
        .with_columns(source=pl.lit(DEMO_SOURCE), is_simulated=pl.lit(True))
        .with_columns(pl.col("year").cast(pl.Int32))
        .sort("indicator", "gemeente_code", "year", "breakdown")
    )
