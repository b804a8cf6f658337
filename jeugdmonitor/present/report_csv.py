"""The CSVs of a single report: only the rows that concern its region, packed into the page.

A report made for one region (`jeugdmonitor report --region`, the app's download button) offers
its figures' CSVs with the rows of the region itself, its member gemeenten, its comparison
gemeenten (computed or chosen), the regions it belongs to and Nederland, instead of every region
of the level (about 12 MB for a gemeente): the page stays small enough to mail. The CSVs travel
inside the page (gzip + base64, like its data) and a click on a link saves one from there, so
the single file needs no folder beside it. `--csv-all` keeps every region, in a folder beside
the page (too big to pack).
"""

from __future__ import annotations

import json

import polars as pl

from jeugdmonitor.analysis.benchmark import peer_set
from jeugdmonitor.data.regions import NL_CODE, Region
from jeugdmonitor.data.store import Store
from jeugdmonitor.present.sections.base import DEFAULT_CHOICES, Choices
from jeugdmonitor.present.sections.common import download

REGIONAL_LABEL = "deze regio en haar vergelijkingen"
CODE = "regiocode"
LEVEL_KEYS = {"regiocode", "regiotype", "indicator", "uitsplitsing"}  # a `common.download` frame


def related_codes(
    store: Store, region: Region | None, choices: Choices = DEFAULT_CHOICES
) -> tuple[set[str], set[str]]:
    """The codes whose rows a region's report keeps: (the region, its members and comparison
    gemeenten; the regions it belongs to, Nederland included)."""
    code = NL_CODE if region is None else region.code
    kind = "nederland" if region is None else region.type
    own = {code, *choices.compare}
    membership = store.membership
    if kind == "gemeente":
        own.update(peer_set(store, code, chosen=choices.compare)[0])
        up = set(membership.filter(pl.col("gemeente_code") == code)["region_code"]) - {code}
        return own, up
    types = dict(zip(store.regions["code"], store.regions["type"], strict=True))
    if kind == "nederland":
        own.update(c for c, t in types.items() if t == "provincie")
        return own, set()
    members = set(membership.filter(pl.col("region_code") == code)["gemeente_code"])
    own.update(members)
    up = {
        r
        for r in membership.filter(pl.col("gemeente_code").is_in(list(members)))["region_code"]
        if types.get(r) == "provincie" and kind != "provincie"
    }
    return own, up | {NL_CODE}


def for_region(
    store: Store, csvs: dict[str, pl.DataFrame], own: set[str], up: set[str]
) -> dict[str, pl.DataFrame]:
    """Each CSV with only the rows of `own` and `up`; a CSV of one indicator for all regions of
    a level (`common.download`) also gets the rows of the `up` regions from their own levels, so
    it holds the region, its comparisons, its jeugdregio, provincie and Nederland together."""
    keep = sorted(own | up)
    types = dict(zip(store.regions["code"], store.regions["type"], strict=True))
    out = {}
    for name, frame in csvs.items():
        if CODE not in frame.columns:
            out[name] = frame  # not per region (e.g. the model's coefficients): kept whole
            continue
        rows = frame.filter(pl.col(CODE).is_in(keep))
        if set(frame.columns) >= LEVEL_KEYS:
            present = set(rows[CODE])
            levels = sorted({types[c] for c in up - present if c in types})
            extra = [
                download(store, indicator, level)[0].filter(pl.col(CODE).is_in(keep))
                for indicator in frame["indicator"].unique(maintain_order=True)
                for level in levels
            ]
            rows = pl.concat([rows, *extra], how="vertical_relaxed") if extra else rows
        out[name] = rows
    return out


def packed_csvs(csvs: dict[str, pl.DataFrame]) -> bytes:
    """The CSVs as one JSON object name → CSV text (with the BOM Dutch Excel needs)."""
    from jeugdmonitor.present.sections.common import csv_bytes

    return json.dumps(
        {name: csv_bytes(frame).decode("utf-8") for name, frame in csvs.items()},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


# A click on a CSV link saves that CSV from the page's packed copy (works from file://, offline);
# without the packed copy (or JavaScript) the link's own href to the folder beside the page holds.
CSV_JS = """
(function () {
  var files = null;
  document.addEventListener('click', function (event) {
    var a = event.target.closest && event.target.closest('a[data-csv]');
    if (!a || !document.getElementById('jm-csv') || !window.jmUnpack) return;
    event.preventDefault();
    (files || (files = window.jmUnpack('jm-csv').then(JSON.parse))).then(function (all) {
      var text = all[a.getAttribute('data-csv')];
      if (text === undefined) { window.location.href = a.href; return; }
      var url = URL.createObjectURL(new Blob([text], {type: 'text/csv;charset=utf-8'}));
      var save = document.createElement('a');
      save.href = url; save.download = a.getAttribute('download') || 'cijfers.csv';
      document.body.appendChild(save); save.click(); save.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    });
  });
})();
"""
