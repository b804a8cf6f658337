"""Current map layers (CBS/PDOK gebiedsindelingen via cartomap), checked against data/'s regions.

Files are named like cartomap's `wgs84/` folder (`gemeente_2024.topojson`); a mirror keeps them under
`cartomap/`, as the bundled `raw/` does. A map whose codes differ from the regions in data/ (a new
merger) is an error: the regions and memberships must be rebuilt first, not silently mismatched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from jeugdmonitor.data.files import atomic_write
from jeugdmonitor.data.sources import geo
from jeugdmonitor.data.sources.download import DownloadError, http_get

DEFAULT_MAP_URL = "https://cartomap.github.io/nl/wgs84"
LEVELS = ("gemeente", "jeugdregio", "provincie")


def layer_names(year: int) -> dict[str, str]:
    """Level → TopoJSON object name, e.g. gemeente → gemeente_2024."""
    return {level: f"{level}_{year}" for level in LEVELS}


def fetch_topologies(
    year: int,
    mirror: Path | None = None,
    base_url: str = DEFAULT_MAP_URL,
    save_to: Path | None = None,
    progress: Callable[[str], None] = print,
) -> dict[str, dict[str, Any]]:
    """Download (or read from a mirror) the three layers of one year and parse them."""
    topos = {}
    for level, layer in layer_names(year).items():
        name = f"{layer}.topojson"
        if mirror is not None:
            path = Path(mirror) / "cartomap" / name
            if not path.is_file():
                raise DownloadError(f"mirror {mirror}: no file cartomap/{name}")
            where, body = str(path), path.read_bytes()
        else:
            where = f"{base_url.rstrip('/')}/{name}"
            body = http_get(where)
        progress(f"    map {name}: {len(body):,} bytes")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DownloadError(f"{where}: not UTF-8 text ({exc})") from exc
        topo = geo.parse_topology(text, where)
        if layer not in topo["objects"]:
            raise DownloadError(f"{where}: no object '{layer}' (has {', '.join(topo['objects'])})")
        if save_to is not None:
            atomic_write(Path(save_to) / "cartomap" / name, body)
        topos[level] = topo
    return topos


def check_codes(topos: dict[str, dict[str, Any]], year: int, regions: pl.DataFrame) -> None:
    """Each layer must have exactly the codes of its region type in data/regions.parquet."""
    for level, layer in layer_names(year).items():
        codes = {
            g.get("properties", {}).get("statcode")
            for g in topos[level]["objects"][layer]["geometries"]
        }
        known = set(regions.filter(pl.col("type") == level)["code"].to_list())
        extra, lacking = sorted(map(str, codes - known)), sorted(known - codes)
        if extra or lacking:
            raise DownloadError(
                f"map {layer}: codes differ from data/regions.parquet "
                f"(not in regions: {', '.join(extra[:8]) or 'none'}; "
                f"missing from map: {', '.join(lacking[:8]) or 'none'}). Choose the map year of the "
                "regions (--map-year) or rebuild the reference data for the new indeling first."
            )
