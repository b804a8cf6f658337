"""Attack the published tables: can any hidden (suppressed) cell be worked out from what is shown?

Independent of `suppress`: it rebuilds, from the published `kerncijfers` and `verdelingen` only,
every exact relation an outsider knows (rows add up to their totals, schools add up to the type
row, clienten + niet-clienten = leerlingen, cost and age sums add up) and then
- linear check: a hidden cell is recoverable when it is fixed in every solution of those sums;
- interval check (optional, slower): with all cells >= 0, its smallest and largest possible
  value (linear programming) coincide.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.linalg import null_space
from scipy.optimize import linprog

CARE = ("zorgvorm", "verwijzer", "aanbieder")
NEW = ("leeftijd",)
RESULT_SCHEMA = {
    "schooljaar": pl.Int32,
    "onderwijssoort": pl.String,
    "school_id": pl.String,
    "grootheid": pl.String,
    "methode": pl.String,
    "ondergrens": pl.Float64,
    "bovengrens": pl.Float64,
}


class _System:
    """Variables (known value or None) and linear equations sum(coef * var) = 0."""

    def __init__(self) -> None:
        self.names: list[tuple[str | None, str]] = []
        self.values: list[float | None] = []
        self.equations: list[dict[int, float]] = []

    def var(self, row: str | None, name: str, value: float | None) -> int:
        self.names.append((row, name))
        self.values.append(None if value is None or value != value else float(value))
        return len(self.names) - 1

    def sums_to(self, parts: list[int], total: int) -> None:
        equation = {p: 1.0 for p in parts}
        equation[total] = equation.get(total, 0.0) - 1.0
        self.equations.append(equation)


def _add_table(system: _System, rows: list[str | None], cells: dict, totals: dict) -> None:
    """Row sums to the row total; school rows sum to the type row (last row is the type)."""
    schools, type_row = rows[:-1], rows[-1]
    categories = sorted({c for _, c in cells})
    for r in rows:
        system.sums_to([cells[(r, c)] for c in categories], totals[r])
    for c in categories:
        system.sums_to([cells[(r, c)] for r in schools], cells[(type_row, c)])


def _block_system(kern: pl.DataFrame, mix: pl.DataFrame) -> _System:
    kern = kern.sort("niveau", "school_id", nulls_last=True)
    rows = kern.get_column("school_id").to_list()
    schools = rows[:-1]
    s = _System()
    k = {r: rec for r, rec in zip(rows, kern.iter_rows(named=True), strict=True)}
    clients = {r: s.var(r, "clienten", k[r]["clienten"]) for r in rows}
    others = {r: s.var(r, "niet_clienten", None) for r in rows}
    pupils = {r: s.var(r, "leerlingen", k[r]["leerlingen"]) for r in rows}
    cost = {r: s.var(r, "kosten", k[r]["kosten"]) for r in rows}
    care = {r: s.var(r, "trajecten", k[r]["trajecten"]) for r in rows}
    new = {r: s.var(r, "nieuwe_trajecten", k[r]["nieuwe_trajecten"]) for r in rows}
    age_sum = {}
    for r in rows:
        mean, n = k[r]["gem_leeftijd_verwijzing"], k[r]["nieuwe_trajecten"]
        age_sum[r] = s.var(r, "leeftijd_som", None if mean is None or n is None else mean * n)
    _add_table(
        s,
        rows,
        {**{(r, "c"): clients[r] for r in rows}, **{(r, "n"): others[r] for r in rows}},
        pupils,
    )
    for values in (pupils, cost, care, new, age_sum):
        s.sums_to([values[r] for r in schools], values[rows[-1]])
    for dims, totals in ((CARE, care), (NEW, new)):
        for dim in dims:
            part = mix.filter(pl.col("dimensie") == dim)
            cells = {
                (r, c): s.var(r, f"{dim}:{c}", v)
                for r, c, v in part.select("school_id", "categorie", "aantal").iter_rows()
            }
            if cells:
                _add_table(s, rows, cells, totals)
    return s


def _matrix(system: _System) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A restricted to hidden variables, the right-hand side, and the hidden variable indices."""
    hidden = np.array([i for i, v in enumerate(system.values) if v is None], dtype=int)
    position = {v: j for j, v in enumerate(hidden)}
    a = np.zeros((len(system.equations), hidden.size))
    b = np.zeros(len(system.equations))
    for e, equation in enumerate(system.equations):
        for var, coef in equation.items():
            if var in position:
                a[e, position[var]] += coef
            else:
                b[e] -= coef * system.values[var]
    return a, b, hidden


def _reportable(system: _System, var: int) -> bool:
    return system.names[var][1] not in ("niet_clienten", "leeftijd_som")


CONTINUOUS = ("kosten", "leeftijd_som")  # sums of euros and ages, not counts


def _components(a: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Independent parts of the system: (equation rows, hidden columns) per connected component."""
    parent = list(range(a.shape[1]))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in a:
        cols = np.flatnonzero(row)
        for c in cols[1:]:
            parent[find(c)] = find(cols[0])
    roots = np.array([find(i) for i in range(a.shape[1])])
    out = []
    for root in np.unique(roots):
        cols = np.flatnonzero(roots == root)
        rows = np.flatnonzero(np.abs(a[:, cols]).sum(1) > 0)
        out.append((rows, cols))
    return out


def audit(kern: pl.DataFrame, mix: pl.DataFrame, intervals: bool = False) -> pl.DataFrame:
    """Hidden published cells an outsider can recover exactly (empty frame = safe)."""
    found = []
    keys = ["schooljaar", "onderwijssoort"]
    mixes = mix.partition_by(keys, as_dict=True)
    for key, part in kern.partition_by(keys, as_dict=True).items():
        system = _block_system(part, mixes.get(key, mix.clear()))
        a, b, hidden = _matrix(system)
        for rows, cols in _components(a):
            sub_a, sub_b = a[np.ix_(rows, cols)], b[rows]
            basis = null_space(sub_a) if rows.size else np.eye(cols.size)
            fixed = np.abs(basis).max(axis=1, initial=0.0) < 1e-9
            counts = not any(system.names[hidden[j]][1] in CONTINUOUS for j in cols)
            for j, col in enumerate(cols):
                var = hidden[col]
                if not _reportable(system, var):
                    continue
                row, name = system.names[var]
                if fixed[j]:
                    found.append((*key, row, name, "lineair", None, None))
                elif intervals and counts:
                    low, high = _bounds(sub_a, sub_b, j)
                    if high - low < 0.5:  # counts are whole numbers
                        found.append((*key, row, name, "interval", low, high))
    return pl.DataFrame(found, schema=RESULT_SCHEMA, orient="row")


def _bounds(a: np.ndarray, b: np.ndarray, j: int) -> tuple[float, float]:
    """Smallest and largest value of hidden variable j given the sums and non-negativity."""
    c = np.zeros(a.shape[1])
    c[j] = 1.0
    low = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    high = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    if low.status == 2 or high.status == 2:
        raise ValueError("the published counts contradict their own totals")
    return float(low.fun), float(-high.fun) if high.status == 0 else float("inf")
