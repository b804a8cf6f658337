"""Charts as drawn (Vega's SVG through vl-convert): no mark hides another, no label repeats or runs
into the next, no legend names what is not drawn."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache

import pytest
import vl_convert as vlc

from jeugdmonitor.data.regions import get_region
from jeugdmonitor.data.store import load
from jeugdmonitor.present import charts
from jeugdmonitor.present.sections import Choices, build_sections

SVG = "{http://www.w3.org/2000/svg}"


@cache
def figures(code: str) -> dict:
    store = load()  # every chart kind: the simulated example figures too
    built = build_sections(store, get_region(store, code), choices=Choices(include_simulated=True))
    return {f.key: f for s in built.values() for f in s.figures}


@cache
def svg(code: str, key: str) -> ET.Element:
    text = vlc.vegalite_to_svg(figures(code)[key].chart.to_json(), format_locale="nl-NL")
    return ET.fromstring(text)


def groups(root: ET.Element, role: str) -> list[ET.Element]:
    """The mark groups of one role ('mark-line', 'role-axis-label', …), in drawing order."""
    return [g for g in root.iter(f"{SVG}g") if role in (g.get("class") or "").split()]


def drawn_lines(root: ET.Element) -> list[tuple[str, float]]:
    """(stroke colour, width) of every visible line, in drawing order (the trend's invisible
    legend layer left out)."""
    return [
        (p.get("stroke"), float(p.get("stroke-width") or 1))
        for g in groups(root, "mark-line")
        for p in g.iter(f"{SVG}path")
        if p.get("opacity") != "0" and p.get("stroke-opacity") != "0"
    ]


def texts(group: ET.Element) -> list[ET.Element]:
    return [t for t in group.iter(f"{SVG}text") if (t.text or "").strip()]


def test_trend_total_is_drawn_under_its_parts_and_wider():
    """Eenoudergezinnen in Utrecht: the total equals the 4-12 line almost exactly; it must stay
    visible: drawn first and wider, the part on top of it."""
    root = svg("GM0344", "eenoudergezin_trend")
    order = drawn_lines(root)
    total = [k for k, (colour, _) in enumerate(order) if colour == charts.CATEGORY_COLORS[0]]
    part = [k for k, (colour, _) in enumerate(order) if colour == charts.CATEGORY_COLORS[2]]
    assert total and part
    assert max(total) < min(part)  # the total first, the 4-12 line on top of it
    assert min(order[k][1] for k in total) > max(order[k][1] for k in part)


@pytest.mark.parametrize("key", ["eenoudergezin_trend", "jeugdzorg_trend"])
def test_trend_significance_is_the_points_own_shape(key):
    """▲/▼ are not separate marks above the points (they stacked on each other and on the dots
    of small series): a significant point is itself a triangle."""
    root = svg("GM0344", key)
    marks = [t.text for g in groups(root, "mark-text") for t in texts(g)]
    assert not [m for m in marks if "▲" in m or "▼" in m], marks
    spec = figures("GM0344")[key].chart.to_json()
    assert '"triangle-up"' in spec and '"triangle-down"' in spec


def test_swv_radar_draws_the_region_under_its_members_and_ring_labels_on_top():
    root = svg("PO2707", "problematiek_radar")
    order = drawn_lines(root)
    region = [k for k, (c, _) in enumerate(order) if c == charts.REGION_COLOR]
    amsterdam = [k for k, (c, _) in enumerate(order) if c == charts.RADAR_COLOURS[1]]
    assert region and amsterdam
    assert max(region) < min(amsterdam)  # Amsterdam (most of the SWV) on top of the SWV line
    assert min(order[k][1] for k in region) > max(order[k][1] for k in amsterdam)
    # the ring labels ('NL', '0,5') come after every line: nothing is drawn over them
    elements = list(root.iter())
    last_line = max(elements.index(g) for g in groups(root, "mark-line"))
    rings = [t for g in groups(root, "mark-text") for t in texts(g) if t.text == "NL"]
    assert rings and all(elements.index(t) > last_line for t in rings)


def _translate(element: ET.Element) -> tuple[float, float]:
    x, y = re.match(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)", element.get("transform")).groups()
    return float(x), float(y)


@pytest.mark.parametrize("code", ["GM0088", "GM0344", "PO2707"])
def test_axis_labels_never_repeat_or_run_together(code):
    """Schiermonnikoog's wijk chart read '0% 1% 1% 2%'; strips read '18%20%'."""
    problems = []
    for key, figure in figures(code).items():
        if figure.chart is None or key.endswith("_kaart") or key == "verwacht_wijken":
            continue
        for axis in groups(svg(code, key), "role-axis-label"):
            labels = [t for t in texts(axis) if t.get("opacity") != "0"]
            values = [t.text for t in labels]
            if len(values) != len(set(values)):
                problems.append((key, "repeats", values))
            spots = sorted(
                (*_translate(t), 0.55 * float(t.get("font-size", "12").rstrip("px")) * len(t.text))
                for t in labels
            )
            same_row = [s for s in spots if abs(s[1] - spots[0][1]) < 1] if spots else []
            if len(same_row) == len(spots) > 1:  # a horizontal axis: labels side by side
                for (x1, _, w1), (x2, _, w2) in zip(spots, spots[1:], strict=False):
                    if x2 - x1 < (w1 + w2) / 2:
                        problems.append((key, "collide", values))
                        break
    assert not problems, problems


def test_bar_legend_leaves_out_a_region_whose_bars_are_all_suppressed():
    figure = figures("GM0088")["armoede_leeftijd"]
    assert figure.table.height and figure.chart is not None
    legend = [t.text for g in groups(svg("GM0088", "armoede_leeftijd"), "role-legend-label")
              for t in texts(g)]  # fmt: skip
    assert "Nederland" in legend and "Schiermonnikoog" not in legend, legend
    # Utrecht has bars: its legend names it, in the region's colour
    utrecht = svg("GM0344", "jeugdzorg_leeftijd")
    assert "Utrecht" in [t.text for g in groups(utrecht, "role-legend-label") for t in texts(g)]
    bars = [p.get("fill") for g in groups(utrecht, "mark-rect") for p in g.iter(f"{SVG}path")]
    assert charts.REGION_COLOR in bars and charts.CONTEXT_COLOR in bars
