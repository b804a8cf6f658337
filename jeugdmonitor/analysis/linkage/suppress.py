"""Primary and complementary suppression of the linkage aggregates, so no hidden cell can be derived.

Per school year and school type the published numbers form linked tables with exact sums:
- headline: clienten + niet-clienten = leerlingen per row, schools add up to the type row;
- active trajectories by zorgvorm, verwijzer and aanbieder: each row adds up to `trajecten`
  (one total column shared by three tables), schools add up to the type row;
- new trajectories by age band: each row adds up to `nieuwe_trajecten`.
Cost follows the clienten pattern; mean age follows `nieuwe_trajecten`.

Every count below MIN_COUNT (zeros included) is hidden (primary suppression). Complementary cells
are added so that every hidden cell lies on a *feasible move*: a change of the hidden cells that
keeps every published sum and every cell non-negative (a 2x2 rectangle inside one table, or a
"super rectangle" through the shared total column). A cell on such a move is not determined by
the published numbers, neither by linear algebra nor by interval (non-negativity) reasoning.
`jeugdmonitor.analysis.linkage.audit` checks this independently on the published tables.

Small school rows are grouped (sorted by size, pairs first, merged until each group satisfies
sufficient conditions that are checked for all groups at once with numpy); the type row, when it
has small cells itself, is protected with one partner school.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from jeugdmonitor.analysis.linkage.aggregate import BLOCK
from jeugdmonitor.analysis.stats import MIN_COUNT

BIG = np.iinfo(np.int64).max // 4
TRAJECT_DIMS = ("zorgvorm", "verwijzer", "aanbieder")  # share the `trajecten` total
NEW_DIMS = ("leeftijd",)  # share the `nieuwe_trajecten` total


@dataclass
class _Block:
    """One linked table set: interior matrices (last row = type row) and their shared total."""

    dims: list[np.ndarray]
    tot: np.ndarray
    always: list[np.ndarray]  # per dim: columns that are never published (e.g. niet-clienten)
    extra: np.ndarray | None  # an additive amount hidden with the rows (e.g. cost); must be > 0


def _type_row(block: _Block, prim: list[np.ndarray], hid: list[np.ndarray]) -> tuple[list, list]:
    """Hide the type row's small cells plus one partner column, mirrored in one partner school."""
    t = block.tot.size - 1
    covered = [np.zeros_like(p) for p in prim]
    partner_cols: list[int | None] = []
    for d, x in enumerate(block.dims):
        small = prim[d][t]
        if not small.any():
            partner_cols.append(None)
            continue
        open_cols = ~small & (x[t] > 0)
        col = (
            int(np.where(open_cols, x[t], BIG).argmin()) if open_cols.any() else int(x[t].argmax())
        )
        cols = small.copy()
        cols[col] = True
        candidates = np.flatnonzero(x[:t, col] >= 1)
        already = (prim[d][candidates] & cols).sum(1)
        school = candidates[np.lexsort((candidates, block.tot[candidates], -already))[0]]
        hid[d][t, cols] = True
        hid[d][school, cols] = True
        covered[d][school, cols] = True
        covered[d][t, :] = True
        partner_cols.append(col)
    return covered, partner_cols


def _evaluate(block, prim, prim_tot, covered, partner_cols, rows, gid, starts):
    """Validity of every group (sufficient conditions for feasible moves) and its hidden columns."""
    tot = block.tot[rows]
    size = np.diff(np.append(starts, rows.size))
    tot_hidden = np.logical_or.reduceat(prim_tot[rows], starts)
    valid = (size >= 2) & (~tot_hidden | np.logical_or.reduceat(tot > 0, starts))
    if block.extra is not None:
        valid &= np.add.reduceat(block.extra[rows], starts) > 0
    hidden_cols = []
    for d, full in enumerate(block.dims):
        x = full[rows]
        pos = x > 0
        zero_cols = full[-1] == 0
        cols = np.logical_or.reduceat(prim[d][rows] & ~covered[d][rows], starts, axis=0)
        cols |= block.always[d]
        active = cols.any(1) | tot_hidden
        cols[~active] = False
        if partner_cols[d] is not None:
            cols[(cols & zero_cols).any(1), partner_cols[d]] = True
        # every non-empty row needs a positive hidden cell: add its smallest positive column
        need = active[gid] & (tot > 0) & ~(pos & cols[gid]).any(1) & pos.any(1)
        if need.any():
            cheapest = np.where(pos, x, BIG).argmin(1)
            cols[gid[need], cheapest[need]] = True
        for _ in range(2):  # at least two hidden columns per active group
            few = active & (cols.sum(1) < 2)
            if not few.any():
                break
            colsum = np.add.reduceat(x, starts, axis=0)
            cost = np.where(cols, BIG, np.where(colsum > 0, colsum, BIG // 2))
            cols[few, cost[few].argmin(1)] = True
        inside = pos & cols[gid]
        col_ok = (~cols | np.logical_or.reduceat(inside, starts, axis=0) | zero_cols).all(1)
        row_n = inside.sum(1)
        col_n = np.add.reduceat(inside.astype(np.int64), starts, axis=0)
        total = col_n.sum(1)
        col_n_row = col_n[gid]
        outside = (total[gid][:, None] - row_n[:, None] - col_n_row + 1) > 0
        crossing = (row_n[:, None] >= 2) & (col_n_row >= 2)
        cell_ok = (~inside | outside | crossing).all(1)
        row_ok = cell_ok & ((row_n > 0) | (tot == 0) | ~active[gid])
        valid &= ~active | (col_ok & (cols.sum(1) >= 2) & np.logical_and.reduceat(row_ok, starts))
        hidden_cols.append(cols)
    return valid, hidden_cols, tot_hidden


def _starts(gid: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, np.diff(gid) != 0])


def _group(block, prim, prim_tot, covered, partner_cols):
    """Group the flagged school rows; returns (rows, gid, hidden columns, tot hidden) or None."""
    t = block.tot.size - 1
    school = np.arange(t)
    flagged = prim_tot[:t].copy()
    for p, c in zip(prim, covered, strict=True):
        flagged |= (p[:t] & ~c[:t]).any(1)
    if not flagged.any():
        return None, None, None, None
    by_size = np.lexsort((school, block.tot[:t]))
    rows = by_size[flagged[by_size]]
    spare = by_size[~flagged[by_size]]
    gid = np.arange(rows.size) // 2
    if rows.size % 2 and rows.size > 1:
        gid[-1] = gid[-2]
    extra_rows = 0
    while True:
        starts = _starts(gid)
        valid, cols, tot_hidden = _evaluate(
            block, prim, prim_tot, covered, partner_cols, rows, gid, starts
        )
        if valid.all():
            return rows, gid, cols, tot_hidden
        if starts.size == 1:  # one group left: bring in unflagged schools, smallest first
            if extra_rows >= spare.size:
                raise _Unprotectable
            step = max(1, extra_rows)
            rows = np.concatenate([rows, spare[extra_rows : extra_rows + step]])
            extra_rows += step
            gid = np.zeros(rows.size, dtype=np.int64)
            continue
        merge = ~valid
        if merge[-1]:
            merge[-2] = True
        merge[-1] = False
        labels = np.concatenate([[0], np.cumsum(~merge[:-1])])
        gid = labels[gid]


class _Unprotectable(Exception):
    """No grouping satisfies the conditions: the whole block is hidden instead."""


def protect_block(
    dims: list[np.ndarray],
    tot: np.ndarray,
    always: list[np.ndarray] | None = None,
    extra: np.ndarray | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Hidden masks (per dim, and for the total column) of one block; the last row is the type row."""
    dims = [np.asarray(x, dtype=np.int64) for x in dims]
    tot = np.asarray(tot, dtype=np.int64)
    always = always or [np.zeros(x.shape[1], dtype=bool) for x in dims]
    block = _Block(dims, tot, always, None if extra is None else np.asarray(extra, float))
    t = tot.size - 1
    everything = ([np.ones(x.shape, dtype=bool) for x in dims], np.ones(tot.size, dtype=bool))
    if tot[t] < MIN_COUNT:
        return everything
    prim = [x < MIN_COUNT for x in dims]
    prim_tot = tot < MIN_COUNT
    hid = [np.zeros(x.shape, dtype=bool) for x in dims]
    hid_tot = np.zeros(tot.size, dtype=bool)
    covered, partner_cols = _type_row(block, prim, hid)
    try:
        rows, gid, cols, tot_hidden = _group(block, prim, prim_tot, covered, partner_cols)
    except _Unprotectable:
        return everything
    if rows is not None:
        for d, c in enumerate(cols):
            hid[d][rows] |= c[gid]
        hid_tot[rows] = tot_hidden[gid]
    return hid, hid_tot


def _matrix(part: pl.DataFrame, rows: int) -> np.ndarray:
    return part.get_column("aantal").to_numpy().reshape(rows, -1)


def _protect_one(
    kern: pl.DataFrame, mix: dict[str, pl.DataFrame]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Suppress one school year × school type (rows: schools sorted by id, then the type row)."""
    n = kern.height
    pupils = kern.get_column("leerlingen").to_numpy()
    clients = kern.get_column("clienten").to_numpy()
    head, head_tot = protect_block(
        [np.column_stack([clients, pupils - clients])],
        pupils,
        always=[np.array([False, True])],
        extra=kern.get_column("kosten").to_numpy(),
    )
    care_dims = [d for d in TRAJECT_DIMS if d in mix]
    new_dims = [d for d in NEW_DIMS if d in mix]
    care, care_tot = protect_block(
        [_matrix(mix[d], n) for d in care_dims], kern.get_column("trajecten").to_numpy()
    )
    new, new_tot = protect_block(
        [_matrix(mix[d], n) for d in new_dims], kern.get_column("nieuwe_trajecten").to_numpy()
    )
    client_hidden = head[0][:, 0]
    kern = kern.with_columns(
        pl.Series("_leerlingen", head_tot),
        pl.Series("_clienten", client_hidden),
        pl.Series("_trajecten", care_tot),
        pl.Series("_nieuwe_trajecten", new_tot),
    )
    masks = dict(zip(care_dims + new_dims, care + new, strict=True))
    parts = [mix[d].with_columns(pl.Series("_aantal", masks[d].ravel())) for d in mix]
    return kern, pl.concat(parts)


def protect(kern: pl.DataFrame, mix: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Suppressed copies of the raw tables from `aggregate`: hidden values become null."""
    kern_parts = kern.sort(*BLOCK, "niveau", "school_id", nulls_last=True).partition_by(
        BLOCK, as_dict=True, maintain_order=True
    )
    mix_sorted = mix.sort(*BLOCK, "dimensie", "niveau", "school_id", "volgorde", nulls_last=True)
    mix_parts = mix_sorted.partition_by([*BLOCK, "dimensie"], as_dict=True, maintain_order=True)
    out_kern, out_mix = [], []
    for key, part in kern_parts.items():
        dims = {d: mix_parts[(*key, d)] for d in TRAJECT_DIMS + NEW_DIMS if (*key, d) in mix_parts}
        k, m = _protect_one(part, dims)
        out_kern.append(k)
        out_mix.append(m)
    kern_out = pl.concat(out_kern).with_columns(
        pl.when(~pl.col("_leerlingen")).then("leerlingen").alias("leerlingen"),
        pl.when(~pl.col("_clienten")).then("clienten").alias("clienten"),
        pl.when(~pl.col("_clienten")).then("kosten").alias("kosten"),
        pl.when(~pl.col("_trajecten")).then("trajecten").alias("trajecten"),
        pl.when(~pl.col("_nieuwe_trajecten")).then("nieuwe_trajecten").alias("nieuwe_trajecten"),
        pl.when(~pl.col("_nieuwe_trajecten")).then("leeftijd_som").alias("leeftijd_som"),
    )
    mix_out = pl.concat(out_mix).with_columns(
        pl.when(~pl.col("_aantal")).then("aantal").alias("aantal")
    )
    hidden = [c for c in kern_out.columns if c.startswith("_")]
    return kern_out.drop(hidden), mix_out.drop("_aantal")
