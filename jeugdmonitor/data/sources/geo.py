"""TopoJSON importer: read the CBS/PDOK (cartomap) layers, slim them, measure areas, dissolve SWVs.

The raw files are already quantized and simplified by cartomap; we keep their arcs untouched (no
further simplification, so the map never looks worse) and only drop unused properties. SWV shapes
do not exist as data, so they are dissolved here from gemeente polygons with a topology-aware merge
(shared arcs between members disappear, the outline is stitched from the remaining arcs).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

LAYERS = {
    "gemeente": "gemeente_2024",
    "jeugdregio": "jeugdregio_2024",
    "provincie": "provincie_2024",
}
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320


class GeoSourceError(ValueError):
    """A raw TopoJSON file does not have the shape we expect."""


def read_topology(path: Path) -> dict[str, Any]:
    """Parse one raw TopoJSON file and check the few keys we rely on."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise GeoSourceError(f"{path}: cannot read TopoJSON ({exc})") from exc
    return parse_topology(text, str(path))


def parse_topology(text: str, where: str) -> dict[str, Any]:
    """Parse TopoJSON text (a file or a download named by `where`) and check the keys we rely on."""
    try:
        topo = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeoSourceError(f"{where}: cannot read TopoJSON ({exc})") from exc
    for key in ("arcs", "transform", "objects"):
        if not isinstance(topo, dict) or key not in topo:
            raise GeoSourceError(f"{where}: missing top-level key '{key}'")
    return topo


def _quantized_arcs(topo: dict[str, Any]) -> list[np.ndarray]:
    """Absolute integer grid positions of every arc (undo the delta encoding only)."""
    return [np.cumsum(np.asarray(arc, dtype=np.int64), axis=0) for arc in topo["arcs"]]


def _decoded_arcs(topo: dict[str, Any]) -> list[np.ndarray]:
    """Absolute lon/lat coordinates of every arc (undo delta encoding and quantization)."""
    scale = np.asarray(topo["transform"]["scale"], dtype=float)
    translate = np.asarray(topo["transform"]["translate"], dtype=float)
    return [q * scale + translate for q in _quantized_arcs(topo)]


def _ring_coords(ring: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for i, ref in enumerate(ring):
        pts = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        parts.append(pts if i == 0 else pts[1:])
    return np.concatenate(parts)


def _signed_area_km2(coords: np.ndarray) -> float:
    """Shoelace area in km² on the sinusoidal projection, which is equal-area (so areas add up).

    Computed with Python's `math` and `fsum` (exactly rounded), not numpy's vectorised cos and
    dot, so the result does not depend on the CPU's vector instructions or summation order.
    """
    pts = coords.tolist()
    x = [lon * KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat)) for lon, lat in pts]
    y = [lat * KM_PER_DEG_LAT for _, lat in pts]
    n = len(pts)
    terms = [x[i] * y[(i + 1) % n] - y[i] * x[(i + 1) % n] for i in range(n)]
    return 0.5 * math.fsum(terms)


def _grid_orientation(ring: np.ndarray) -> int:
    """Sign (+1/-1/0) of a ring's area on the integer grid: exact, so never CPU-dependent."""
    x, y = ring[:, 0], ring[:, 1]
    twice = int(np.sum(x * np.roll(y, -1) - y * np.roll(x, -1)))
    return (twice > 0) - (twice < 0)


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def features(topo: dict[str, Any], layer: str) -> pl.DataFrame:
    """One row per feature: code, name and land area in km² (holes subtracted)."""
    obj = topo["objects"][layer]
    arcs = _decoded_arcs(topo)
    rows = []
    for geom in obj["geometries"]:
        props = geom.get("properties", {})
        area = 0.0
        for polygon in _polygons(geom):
            for k, ring in enumerate(polygon):
                a = abs(_signed_area_km2(_ring_coords(ring, arcs)))
                area += a if k == 0 else -a
        rows.append({"code": props["statcode"], "name": props["statnaam"], "area_km2": area})
    return pl.DataFrame(rows).sort("code")


def slim_topology(topo: dict[str, Any], layer: str, out_layer: str) -> dict[str, Any]:
    """Same arcs, one object renamed to `out_layer`, properties reduced to the name; id = code."""
    geoms = [
        {
            "type": g["type"],
            "arcs": g["arcs"],
            "id": g["properties"]["statcode"],
            "properties": {"name": g["properties"]["statnaam"]},
        }
        for g in sorted(
            topo["objects"][layer]["geometries"], key=lambda g: g["properties"]["statcode"]
        )
    ]
    return {
        "type": "Topology",
        "transform": topo["transform"],
        "objects": {out_layer: {"type": "GeometryCollection", "geometries": geoms}},
        "arcs": topo["arcs"],
    }


def _stitch_rings(arc_refs: list[int], arcs: list[np.ndarray]) -> list[list[int]]:
    """Chain directed arc references into closed rings by matching end points to start points."""

    def ends(ref: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        pts = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        return tuple(pts[0].tolist()), tuple(pts[-1].tolist())

    by_start: dict[tuple, list[int]] = defaultdict(list)
    for ref in arc_refs:
        by_start[ends(ref)[0]].append(ref)
    unused = set(arc_refs)
    rings = []
    for first in arc_refs:
        if first not in unused:
            continue
        ring = [first]
        unused.discard(first)
        start, end = ends(first)
        while end != start:
            nxt = next((r for r in by_start[end] if r in unused), None)
            if nxt is None:
                raise GeoSourceError("cannot close a dissolved ring: topology is not shared")
            ring.append(nxt)
            unused.discard(nxt)
            end = ends(nxt)[1]
        rings.append(ring)
    return rings


def _point_in_ring(pt: np.ndarray, ring: np.ndarray) -> bool:
    """Even-odd test on the integer grid with exact integer cross products (no division)."""
    x, y = int(pt[0]), int(pt[1])
    xs, ys = ring[:, 0], ring[:, 1]
    x2, y2 = np.roll(xs, -1), np.roll(ys, -1)
    straddles = (ys > y) != (y2 > y)
    # x < xs + (x2 - xs)(y - ys)/(y2 - ys), multiplied out by (y2 - ys) with its sign
    lhs = (x - xs) * (y2 - ys)
    rhs = (x2 - xs) * (y - ys)
    left = np.where(y2 > ys, lhs < rhs, lhs > rhs)
    return bool(np.count_nonzero(straddles & left) % 2)


def dissolve(topo: dict[str, Any], layer: str, groups: dict[str, str]) -> list[dict[str, Any]]:
    """Merge the polygons of `layer` into one MultiPolygon per group (feature code → group code).

    An arc used by two members of the same group is interior and dropped; the remaining directed
    arcs are stitched into rings, which keep the winding of the source (exterior vs hole).
    """
    grid = _quantized_arcs(topo)
    members: dict[str, list[list[list[int]]]] = defaultdict(list)
    for geom in topo["objects"][layer]["geometries"]:
        group = groups.get(geom["properties"]["statcode"])
        if group is not None:
            members[group].extend(_polygons(geom))
    # The sign of an exterior ring in the source tells us which winding means "exterior".
    first_exterior = _polygons(topo["objects"][layer]["geometries"][0])[0][0]
    exterior_sign = _grid_orientation(_ring_coords(first_exterior, grid))
    out = []
    for group in sorted(members):
        refs = [ref for polygon in members[group] for ring in polygon for ref in ring]
        count = defaultdict(int)
        for ref in refs:
            count[ref if ref >= 0 else ~ref] += 1
        kept = [ref for ref in refs if count[ref if ref >= 0 else ~ref] == 1]
        rings = _stitch_rings(kept, grid)
        coords = [_ring_coords(r, grid) for r in rings]
        signs = [_grid_orientation(c) for c in coords]
        exteriors = [i for i, s in enumerate(signs) if s == exterior_sign]
        polygons: dict[int, list[list[int]]] = {i: [rings[i]] for i in exteriors}
        for i, s in enumerate(signs):
            if s == exterior_sign:
                continue
            host = next((e for e in exteriors if _point_in_ring(coords[i][0], coords[e])), None)
            if host is not None:
                polygons[host].append(rings[i])
        out.append({"type": "MultiPolygon", "arcs": [polygons[i] for i in exteriors], "id": group})
    return out


def dissolved_topology(
    topo: dict[str, Any], layer: str, groups: dict[str, str], names: dict[str, str], out_layer: str
) -> dict[str, Any]:
    """A topology with one dissolved feature per group, sharing the source arcs."""
    geoms = dissolve(topo, layer, groups)
    for g in geoms:
        g["properties"] = {"name": names.get(g["id"], g["id"])}
    return {
        "type": "Topology",
        "transform": topo["transform"],
        "objects": {out_layer: {"type": "GeometryCollection", "geometries": geoms}},
        "arcs": topo["arcs"],
    }


def prune_arcs(topo: dict[str, Any]) -> dict[str, Any]:
    """Drop arcs no geometry uses and renumber references, so each file carries only what it draws."""
    used: list[int] = []
    seen: set[int] = set()
    for obj in topo["objects"].values():
        for g in obj["geometries"]:
            for polygon in _polygons(g):
                for ring in polygon:
                    for ref in ring:
                        idx = ref if ref >= 0 else ~ref
                        if idx not in seen:
                            seen.add(idx)
                            used.append(idx)
    used.sort()
    new_index = {old: new for new, old in enumerate(used)}

    def remap(ref: int) -> int:
        return new_index[ref] if ref >= 0 else ~new_index[~ref]

    objects = {}
    for name, obj in topo["objects"].items():
        geoms = []
        for g in obj["geometries"]:
            polys = [[[remap(r) for r in ring] for ring in polygon] for polygon in _polygons(g)]
            arcs_field = polys[0] if g["type"] == "Polygon" else polys
            geoms.append({**g, "arcs": arcs_field})
        objects[name] = {**obj, "geometries": geoms}
    return {**topo, "objects": objects, "arcs": [topo["arcs"][i] for i in used]}


def dumps(topo: dict[str, Any]) -> str:
    """Compact, deterministic JSON text (sorted keys, no spaces)."""
    return json.dumps(topo, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
