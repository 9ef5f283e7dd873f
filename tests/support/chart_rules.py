"""The rules every chart of Qualiti keeps (see qualiti/charts.py), checked over a figure
dict as the page hands it to plotly.js: what a reader would trip over, named.

- a horizontal or vertical line (a threshold, a base rate) has a label carrying its value,
  beside the line rather than on it, and no two labels share a place;
- a red bar or point (failing) also carries a pattern or a cross, and the chart says what
  the mark means (a subtitle, or a legend naming the trace);
- bars of whole numbers stand on an integer axis from zero, a tick per unit while few;
- values that are dates sit on a date axis, and no category axis spells dates.
"""

import re
from typing import Any

from qualiti.charts import FAIL_SYMBOL, RED, SMALL_COUNT, number_text

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+([+-]\d{2}:\d{2}|Z)?)?$")
SPELLED_DATE = re.compile(r"^\d{1,2} [A-Z][a-z]{2}( \d{4})?$")  # "30 Nov", a category


def _axis(layout: dict, reference: str) -> dict:
    """The layout's axis a trace's "x"/"y2"… reference names."""
    return layout.get(f"{reference[0]}axis{reference[1:]}", {})


def _explained(figure: dict) -> bool:
    """Whether the chart tells what its marks mean: a subtitle, or a legend of traces."""
    layout = figure["layout"]
    if layout.get("title", {}).get("subtitle", {}).get("text"):
        return True
    return len(figure["data"]) > 1 and layout.get("showlegend", True) is not False


def _at(value: Any, index: int) -> Any:
    return value[index] if isinstance(value, list) else value


def line_label_breaches(figure: dict) -> list[str]:
    layout, breaches = figure["layout"], []
    labels = layout.get("annotations", [])
    for shape in layout.get("shapes", []):
        if shape.get("type") != "line":
            continue
        horizontal = shape["y0"] == shape["y1"] and shape["x0"] != shape["x1"]
        vertical = shape["x0"] == shape["x1"] and shape["y0"] != shape["y1"]
        if not (horizontal or vertical):
            continue  # a diagonal (chance, perfect calibration) reads without a value
        value = shape["y0"] if horizontal else shape["x0"]
        key = "y" if horizontal else "x"
        own = [label for label in labels if label.get(key) == value]
        if not any(number_text(value) in label.get("text", "") for label in own):
            breaches.append(f"the line at {value} has no label carrying its value")
        for label in own:
            if horizontal:
                beside = (label.get("x") == 1 and label.get("xanchor") == "left") or label.get(
                    "yanchor"
                ) in ("top", "bottom")
            else:
                beside = label.get("xanchor") in ("left", "right")
            if not beside:
                breaches.append(f"the label of the line at {value} sits on the line")
    places = [(label.get("x"), label.get("y"), label.get("xanchor")) for label in labels]
    if len(places) != len(set(places)):
        breaches.append("two labels share a place")
    return breaches


def failing_mark_breaches(figure: dict) -> list[str]:
    breaches = []
    for trace in figure["data"]:
        marker, kind = trace.get("marker", {}), trace.get("type")
        colours = marker.get("color")
        shapes = marker.get("pattern", {}).get("shape", "")
        if isinstance(colours, list):
            red = [index for index, colour in enumerate(colours) if colour == RED]
            for index in red:
                if kind == "bar" and not _at(shapes, index):
                    breaches.append(f"{trace.get('name')!r}: red bar {index} has no pattern")
                if kind == "scatter" and _at(marker.get("symbol"), index) != FAIL_SYMBOL:
                    breaches.append(f"{trace.get('name')!r}: red point {index} is no cross")
            if red and not _explained(figure):
                breaches.append(f"{trace.get('name')!r}: nothing says what its marks mean")
        elif colours == RED:
            if kind == "scatter" and marker.get("symbol") != FAIL_SYMBOL:
                breaches.append(f"{trace.get('name')!r}: red points that are no crosses")
            if not (trace.get("name") and _explained(figure)):
                breaches.append(f"{trace.get('name')!r}: a red trace no legend names")
    return breaches


def count_axis_breaches(figure: dict) -> list[str]:
    layout, breaches = figure["layout"], []
    for trace in figure["data"]:
        values = [value for value in trace.get("y") or [] if value is not None]
        whole = values and all(type(value) is int for value in values)
        if trace.get("type") != "bar" or not whole:
            continue
        axis = _axis(layout, trace.get("yaxis", "y"))
        name = axis.get("title", {}).get("text")
        if axis.get("tickformat") != "d" or axis.get("rangemode") != "tozero":
            breaches.append(f"the count axis {name!r} is not whole numbers from zero")
        if max(values) <= SMALL_COUNT and axis.get("dtick") != 1:
            breaches.append(f"the count axis {name!r} may tick fractions of its few counts")
    return breaches


def date_axis_breaches(figure: dict) -> list[str]:
    layout, breaches = figure["layout"], []
    for trace in figure["data"]:
        for letter in ("x", "y"):
            values = [value for value in trace.get(letter) or [] if value is not None]
            if not values or not all(isinstance(value, str) for value in values):
                continue
            axis = _axis(layout, trace.get(f"{letter}axis", letter))
            if all(ISO_DATE.match(value) for value in values) and axis.get("type") != "date":
                breaches.append(f"dates on a {axis.get('type')} {letter} axis")
            if any(SPELLED_DATE.match(value) for value in values):
                breaches.append(f"dates spelled as categories on the {letter} axis")
    return breaches


def chart_rule_breaches(figure: dict) -> list[str]:
    """Every rule a figure breaks, named; empty for a chart that explains itself."""
    return (
        line_label_breaches(figure)
        + failing_mark_breaches(figure)
        + count_axis_breaches(figure)
        + date_axis_breaches(figure)
    )


def all_figures(figures: dict[str, Any]) -> dict[str, dict]:
    """A page's figures flat by name (the run page keeps its fairness charts in a list)."""
    flat = {}
    for name, figure in figures.items():
        if isinstance(figure, list):
            flat |= {f"{name}-{number}": one for number, one in enumerate(figure, start=1)}
        else:
            flat[name] = figure
    return flat
