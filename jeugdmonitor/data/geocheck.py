"""Checks of the TopoJSON maps in data/geo: parse, topology, the level's codes, closed rings.

A corrupt map used to pass `validate`, and then the app drew an empty map with a "NaN%" legend and
a report had no charts. Each map must be a TopoJSON Topology whose object `<level>` holds one
Polygon/MultiPolygon per region of that level (every code known, none missing, none twice), whose
rings refer to existing arcs that join end to start and close, inside the Netherlands.

Results are kept in a small bounded cache per file content (SHA-256) and per file identity
(path, size, modification time, inode), so the app's and the store's repeated loads of unchanged
maps cost a `stat`, and a touched but identical file a hash, not a parse.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Collection
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

# lon/lat box around the Netherlands (with the Wadden and a margin): a map outside it is wrong
NL_BOX = (3.0, 50.5, 7.5, 54.0)
MAX_PROBLEMS = 10
_CACHE_SIZE = 32
_cache: OrderedDict[tuple, list[tuple[str, str]]] = OrderedDict()
_lock = threading.Lock()


class _Invalid(Exception):
    """A structural problem that makes further checks of the file pointless."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(detail)
        self.where, self.detail = where, detail


def _cached(key: tuple) -> list[tuple[str, str]] | None:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return list(_cache[key])
    return None


def _remember(key: tuple, problems: list[tuple[str, str]]) -> None:
    with _lock:
        _cache[key] = problems
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def check_map(
    data: bytes, level: str, codes: Collection[str], *, complete: bool = True
) -> list[tuple[str, str]]:
    """Problems of one map file as (where in the file, what); empty when it is sound.

    Every shape's code must be in `codes`; with `complete` every code must also have a shape.
    """
    key = ("sha256", hashlib.sha256(data).hexdigest(), level, hash((frozenset(codes), complete)))
    found = _cached(key)
    if found is None:
        found = _check(data, level, set(codes), complete)
        _remember(key, found)
    return list(found)


def check_file(
    path: Path, level: str, codes: Collection[str], *, complete: bool = True
) -> list[tuple[str, str]]:
    """`check_map` of a file, remembered by the file's identity (OSError when unreadable)."""
    st = path.stat()
    key = (
        "file",
        str(path.resolve()),
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
        level,
        hash((frozenset(codes), complete)),
    )
    found = _cached(key)
    if found is None:
        found = check_map(path.read_bytes(), level, codes, complete=complete)
        _remember(key, found)
    return list(found)


def _check(data: bytes, level: str, codes: set[str], complete: bool) -> list[tuple[str, str]]:
    try:
        topo = _parse(data)
        arcs, start, end = _arcs(topo)
        geometries = _geometries(topo, level)
    except _Invalid as exc:
        return [(exc.where, exc.detail)]
    problems = _codes(geometries, level, codes, complete)
    problems += _rings(geometries, level, len(start), start, end)
    if len(arcs):
        problems += _inside_nl(topo, arcs)
    return problems[:MAX_PROBLEMS]


def _parse(data: bytes) -> dict[str, Any]:
    try:
        topo = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _Invalid("*", f"not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise _Invalid(
            f"line {exc.lineno}, char {exc.colno}", f"not valid JSON ({exc.msg})"
        ) from exc
    if not isinstance(topo, dict) or topo.get("type") != "Topology":
        raise _Invalid("type", 'not a TopoJSON file (no "type": "Topology" at the top)')
    transform = topo.get("transform")
    if transform is not None:
        for key in ("scale", "translate"):
            value = transform.get(key) if isinstance(transform, dict) else None
            if not (
                isinstance(value, list)
                and len(value) == 2
                and all(_finite(v) for v in value)
                and (key != "scale" or all(v != 0 for v in value))
            ):
                raise _Invalid(f"transform.{key}", "must be two finite numbers (scale not 0)")
    return topo


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _arcs(topo: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All arc positions (delta encoding undone), plus each arc's first and last point."""
    raw = topo.get("arcs")
    if not isinstance(raw, list):
        raise _Invalid("arcs", "missing or not a list")
    try:
        lengths = np.fromiter(map(len, raw), dtype=np.int64, count=len(raw))
        sizes = np.fromiter(map(len, chain.from_iterable(raw)), dtype=np.int64)
        ok = bool(lengths.size == 0 or lengths.min() >= 2) and bool((sizes == 2).all())
        # every position is [x, y] of JSON numbers: read all of them in one pass
        ok = ok and set(map(type, chain.from_iterable(chain.from_iterable(raw)))) <= {int, float}
        if ok:
            numbers = np.fromiter(chain.from_iterable(chain.from_iterable(raw)), dtype=np.float64)
            points = numbers.reshape(-1, 2)
            ok = bool(np.isfinite(numbers).all())
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise _Invalid(*_bad_arc(raw))
    if isinstance(topo.get("transform"), dict):  # quantized: positions after the first are deltas
        offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
        total = np.cumsum(points, axis=0)
        before = np.vstack([np.zeros((1, 2)), total])[offsets]
        points = total - before
    last = np.cumsum(lengths) - 1
    return points, points[last - lengths + 1], points[last]


def _bad_arc(raw: list[Any]) -> tuple[str, str]:
    """Where the arcs list breaks (slow path, only for a broken file)."""
    for i, arc in enumerate(raw):
        try:
            points = np.asarray(arc, dtype=np.float64)
        except (TypeError, ValueError):
            return f"arcs[{i}]", "not a list of [x, y] positions"
        if points.ndim != 2 or points.shape[0] < 2 or points.shape[1] != 2:
            return f"arcs[{i}]", "an arc needs at least two positions of two numbers [x, y]"
        if not np.isfinite(points).all():
            return f"arcs[{i}]", "a position is not a finite number"
    return "arcs", "not a list of arcs of [x, y] positions"


def _geometries(topo: dict[str, Any], level: str) -> list[Any]:
    objects = topo.get("objects")
    if not isinstance(objects, dict) or level not in objects:
        found = ", ".join(map(str, objects)) if isinstance(objects, dict) else "none"
        raise _Invalid("objects", f"no object '{level}' (found: {found})")
    geometries = objects[level].get("geometries") if isinstance(objects[level], dict) else None
    if not isinstance(geometries, list):
        raise _Invalid(f"objects.{level}", "not a GeometryCollection with a 'geometries' list")
    return geometries


def _codes(
    geometries: list[Any], level: str, codes: set[str], complete: bool
) -> list[tuple[str, str]]:
    problems = []
    seen: set[str] = set()
    for i, geom in enumerate(geometries):
        where = f"objects.{level}.geometries[{i}]"
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            kind = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
            problems.append((where, f"type {kind!r}: every region must be a (Multi)Polygon"))
            continue
        code = geom.get("id")
        if code not in codes:
            problems.append((f"{where}.id", f"unknown {level} code {code!r}"))
        elif code in seen:
            problems.append((f"{where}.id", f"code {code!r} has more than one shape"))
        seen.add(code)
    missing = sorted(codes - seen) if complete else []
    if missing:
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        problems.append(
            (
                f"objects.{level}",
                f"no shape for {len(missing)} {level} code(s): {', '.join(missing[:8])}{more}",
            )
        )
    return problems


def _rings(
    geometries: list[Any], level: str, n_arcs: int, start: np.ndarray, end: np.ndarray
) -> list[tuple[str, str]]:
    """Every ring: existing arc indexes, consecutive arcs joined, last point = first point."""
    problems: list[tuple[str, str]] = []
    refs: list[int] = []
    ring_of: list[int] = []
    places: list[str] = []
    for i, geom in enumerate(geometries):
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        where = f"objects.{level}.geometries[{i}] ({geom.get('id')})"
        polygons = [geom.get("arcs")] if geom["type"] == "Polygon" else geom.get("arcs")
        if not isinstance(polygons, list) or not polygons:
            problems.append((where, "no rings"))
            continue
        for p, polygon in enumerate(polygons):
            if not isinstance(polygon, list) or not polygon:
                problems.append((f"{where} polygon {p}", "no rings"))
                continue
            for r, ring in enumerate(polygon):
                if not isinstance(ring, list) or not ring or not all(type(x) is int for x in ring):
                    problems.append((f"{where} polygon {p} ring {r}", "not a list of arc indexes"))
                    continue
                refs += ring
                ring_of += [len(places)] * len(ring)
                places.append(f"{where} polygon {p} ring {r}")
    if not refs:
        return problems
    ref = np.asarray(refs, dtype=np.int64)
    ring_id = np.asarray(ring_of, dtype=np.int64)
    index = np.where(ref >= 0, ref, ~ref)
    bad = index >= n_arcs
    if bad.any():
        k = int(np.argmax(bad))
        detail = f"refers to arc {int(index[k])}, but there are only {n_arcs} arcs"
        return [*problems, (places[ring_id[k]], detail)]
    forward = (ref >= 0)[:, None]
    first = np.where(forward, start[index], end[index])
    last = np.where(forward, end[index], start[index])
    # each arc's last point must be the next arc's first point; the ring's last arc wraps around
    ring_start = np.r_[0, np.flatnonzero(np.diff(ring_id)) + 1]
    following = np.arange(len(ref)) + 1
    ring_end = np.r_[ring_start[1:], len(ref)] - 1
    following[ring_end] = ring_start
    broken = ~(last == first[following]).all(axis=1)
    for k in np.flatnonzero(broken)[:MAX_PROBLEMS]:
        if k in set(ring_end.tolist()):
            detail = "not closed: its last point differs from its first point"
        else:
            detail = f"arcs {refs[k]} and {refs[k + 1]} do not join (the outline has a gap)"
        problems.append((places[ring_id[k]], detail))
    return problems


def _inside_nl(topo: dict[str, Any], points: np.ndarray) -> list[tuple[str, str]]:
    transform = topo.get("transform")
    if isinstance(transform, dict):
        points = points * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
    lo, hi = points.min(axis=0), points.max(axis=0)
    west, south, east, north = NL_BOX
    if lo[0] < west or lo[1] < south or hi[0] > east or hi[1] > north:
        return [
            (
                "arcs",
                f"positions reach lon {lo[0]:.2f}…{hi[0]:.2f}, lat {lo[1]:.2f}…{hi[1]:.2f}: "
                "outside the Netherlands (WGS84 lon/lat expected; swapped or wrong transform?)",
            )
        ]
    return []
