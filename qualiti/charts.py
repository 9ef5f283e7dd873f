"""How every chart in Qualiti looks: the palette, the layout, the axes, the threshold
lines and the marks of failure. Charts are plotly figure specs (plain dicts) that the
pages and the reports (HTML and PDF) hand to plotly.js from static/. The run page, the
dashboards, monitoring and the reports all build them with these helpers, so a reader
learns the rules once:

- a threshold line carries its value ("threshold ≥ 0.8"), labelled just past the plot's
  right edge level with the line, where it covers neither the data nor another label;
- failing bars are hatched and failing points are crosses as well as red, and the chart's
  subtitle says what the mark means: colour alone fails a colour-blind reader and a
  grey-scale print;
- counts sit on integer axes from zero (never "0.2 findings"); dates on date axes.

Plain Python, no Django: any app may import it (the engine has no charts to draw).
"""

import datetime
import math
from collections.abc import Iterable, Sequence
from typing import Any

Figure = dict[str, Any]
# A line and its label, {"shapes": [...], "annotations": [...]}, to unpack into `layout`.
Lines = dict[str, Any]

# The palette. Every colour reads on white with WCAG AA contrast (at least 4.5:1), so a
# thin line, a small marker or a label in that colour is as legible as text.
BLUE = "#1f5f8b"  # the main series
RED = "#b3261e"  # failing, thresholds, findings opened
GREEN = "#1e6b36"  # passing, findings closed or verified
AMBER = "#8a5a00"  # warnings, findings still open
ORANGE = "#a4410e"
DARK_RED = "#7a1f1a"
MAROON = "#4f1410"
PURPLE = "#5b2a86"
TEAL = "#0f6f6f"
SLATE = "#4a5568"
GREY = "#64748b"  # context: a reference, a sample, not evaluated
PALETTE = {
    "blue": BLUE, "red": RED, "green": GREEN, "amber": AMBER, "orange": ORANGE,
    "dark_red": DARK_RED, "maroon": MAROON, "purple": PURPLE, "teal": TEAL, "slate": SLATE,
    "grey": GREY,
}  # fmt: skip
# The colours traces take in turn when a chart does not choose (plotly's own default
# includes pale colours that fail the contrast rule). Red and green are left out: they
# mean failing and passing.
SERIES = [BLUE, AMBER, PURPLE, TEAL, SLATE, ORANGE]
# A run's verdict (and what else came of it): colour, marker symbol and name.
VERDICT_STYLE = {
    "pass": (GREEN, "circle", "Pass"),
    "pass_with_warnings": (AMBER, "diamond", "Pass with warnings"),
    "fail": (RED, "x", "Fail"),
    "": (GREY, "circle-open", "Not evaluated"),
}
# Findings by what happened to them: colour and bar pattern. Open is a warning, closed
# is green; the patterns tell the bars apart without their colour.
FINDING_KIND_STYLE = {
    "opened": ("Opened", RED, ""),
    "open": ("Open findings", AMBER, ""),
    "closed": ("Closed", GREEN, "."),
    "overdue": ("Overdue", AMBER, "x"),
}
# Open findings by age: darker as they wait (red itself is kept for failing marks).
AGE_COLOURS = [AMBER, ORANGE, DARK_RED, MAROON]

PASS_SYMBOL, FAIL_SYMBOL = "circle", "x"
FAIL_PATTERN = "/"
FAILING_BARS_NOTE = "hatched red bars fail"
FAILING_POINTS_NOTE = "a red cross fails"

THRESHOLD_LINE = {"color": RED, "dash": "dash", "width": 2}
REFERENCE_LINE = {"color": GREY, "dash": "dot", "width": 1}
# Below everything, in the figure's own bottom margin (plotly widens it to fit), where it
# cannot meet the x axis's ticks or title.
BOTTOM_LEGEND = {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"}
EDGE_LABEL = "edge label"  # names the labels of lines drawn in the right margin
EDGE_LABEL_MARGIN = 84  # room for "threshold" over "≥ 0.123" at 11px
SMALL_COUNT = 10  # up to this many, a count axis ticks every unit
WEEK_MS = 7 * 24 * 3600 * 1000
WEEK_TICKS = 6  # at most this many ticks on an axis of weeks
COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
# Date ticks by their spacing: the time within a day, the day within a year, then the
# month and the year, so no two ticks ever read the same.
DATE_TICK_FORMATS = [
    {"dtickrange": [None, 60_000], "value": "%H:%M:%S<br>%-d %b"},
    {"dtickrange": [60_000, 86_400_000], "value": "%H:%M<br>%-d %b"},
    {"dtickrange": [86_400_000, "M1"], "value": "%-d %b<br>%Y"},
    {"dtickrange": ["M1", "M12"], "value": "%b %Y"},
    {"dtickrange": ["M12", None], "value": "%Y"},
]


def number_text(value: float) -> str:
    """A threshold or a value as a label shows it: 0.8, 0.05, 0.123, 20, 250."""
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def threshold_text(value: float, *, comparator: str = "", label: str = "threshold") -> str:
    """The words a threshold line is labelled with: "threshold ≥ 0.8"."""
    sign = COMPARATOR_SIGNS.get(comparator, comparator)
    return " ".join(part for part in (label, sign, number_text(value)) if part)


def failing_points_note(value: float | None, *, comparator: str = "") -> str:
    """The subtitle of a chart of points judged against a threshold: the rule, and what
    marks a failing point."""
    if value is None:
        return ""
    return f"{threshold_text(value, comparator=comparator)}; {FAILING_POINTS_NOTE}"


def layout(title: str, x: str = "", y: str = "", *, note: str = "", **extra: Any) -> dict:
    """A plotly layout with the pages' size, margins and colours: a categorical x axis
    titled `x` and a y axis titled `y` unless `xaxis`/`yaxis` say otherwise; `note`, a
    subtitle, says what the chart's marks mean."""
    title_spec: dict[str, Any] = {"text": title}
    if note:
        title_spec["subtitle"] = {"text": note}
    labels = extra.get("annotations", [])
    right = EDGE_LABEL_MARGIN if any(label.get("name") == EDGE_LABEL for label in labels) else 24
    return {
        "title": title_spec,
        "colorway": SERIES,
        "xaxis": category_axis(x),
        "yaxis": {"title": {"text": y}, "automargin": True},
        "margin": {"t": 72 if note else 48, "r": right, "b": 48, "l": 56},
        "height": 340 if note else 320,
        **extra,
    }


def category_axis(title: str = "", **extra: Any) -> dict:
    """An axis of names (features, groups, versions, batches), none of them clipped."""
    return {"title": {"text": title}, "type": "category", "automargin": True, **extra}


def unit_axis(title: str) -> dict:
    """A linear axis from 0 to 1 (rates, probabilities)."""
    return {"title": {"text": title}, "type": "linear", "range": [0, 1.02], "automargin": True}


def linear_axis(title: str, **extra: Any) -> dict:
    """A linear axis of measured values (milliseconds, noise, a component)."""
    return {"title": {"text": title}, "type": "linear", "automargin": True, **extra}


def count_axis(title: str, counts: Iterable[float | None], **extra: Any) -> dict:
    """An axis of counts: whole numbers from zero, a tick per unit while they are few
    (plotly would otherwise tick 0.5 and label it "0" or "1" once rounded)."""
    largest = max((count for count in counts if count is not None), default=0)
    axis: dict[str, Any] = {
        "title": {"text": title},
        "type": "linear",
        "tickformat": "d",
        "rangemode": "tozero",
        "automargin": True,
    }
    if largest <= SMALL_COUNT:
        axis |= {"tick0": 0, "dtick": 1}
    if largest < 1:  # nothing counted: show 0 and 1 rather than plotly's -1 to 1
        axis["range"] = [0, 1]
    return axis | extra


def date_axis(title: str = "", *, hoverformat: str = "%-d %b %Y", **extra: Any) -> dict:
    """An axis of dates (values as ISO strings): ticks read as dates at any zoom."""
    return {
        "title": {"text": title},
        "type": "date",
        "automargin": True,
        "tickformatstops": DATE_TICK_FORMATS,
        "hoverformat": hoverformat,
        **extra,
    }


def week_axis(weeks: Sequence[datetime.date], title: str = "") -> dict:
    """A date axis for values per week (each at its Monday): ticks on Mondays, a few."""
    if not weeks:
        return date_axis(title)
    step = max(1, math.ceil(len(weeks) / WEEK_TICKS))
    axis = date_axis(title, hoverformat="week of %-d %b %Y")
    del axis["tickformatstops"]  # the ticks are Mondays: the day and month say enough
    return axis | {"tick0": weeks[0].isoformat(), "dtick": step * WEEK_MS, "tickformat": "%-d %b"}


def iso_dates(dates: Iterable[datetime.date]) -> list[str]:
    """Dates (or datetimes) as the ISO strings a date axis reads."""
    return [moment.isoformat() for moment in dates]


def _line_label(text: str, colour: str, **position: Any) -> dict:
    """A label on a line: its own colour, on a white box so gridlines do not cross it."""
    return {
        "text": text,
        "showarrow": False,
        "font": {"color": colour, "size": 11},
        "bgcolor": "rgba(255, 255, 255, 0.9)",
        "bordercolor": colour,
        "borderwidth": 1,
        "borderpad": 2,
        **position,
    }


def threshold(
    value: float | None,
    *,
    comparator: str = "",
    label: str = "threshold",
    vertical: bool = False,
) -> Lines:
    """A dashed red line at a threshold across the plot, and its label with the value:
    {"shapes": [...], "annotations": [...]} to unpack into `layout`. A horizontal line is
    labelled just past the plot's right edge, level with the line, like a tick of its own:
    there it covers neither the data nor the line (`layout` widens the margin for it). A
    vertical line is labelled at the top, right of it."""
    if value is None:
        return {}
    if vertical:
        line = {"type": "line", "name": "threshold", "yref": "paper", "y0": 0, "y1": 1,
                "x0": value, "x1": value, "line": THRESHOLD_LINE}  # fmt: skip
        text = threshold_text(value, comparator=comparator, label=label)
        mark = _line_label(text, RED, x=value, xref="x", xanchor="left", xshift=4,
                           y=1, yref="paper", yanchor="top")  # fmt: skip
        return {"shapes": [line], "annotations": [mark]}
    return _edge_line(value, label, threshold_text(value, comparator=comparator, label=""),
                      THRESHOLD_LINE, RED)  # fmt: skip


def reference_line(value: float, *, label: str) -> Lines:
    """A dotted grey horizontal line for context (a base rate), labelled with its value
    past the right edge as a threshold is."""
    return _edge_line(value, label, number_text(value), REFERENCE_LINE, SLATE)


def _edge_line(value: float, label: str, value_text: str, style: dict, colour: str) -> Lines:
    """A horizontal line across the plot, labelled in the right margin level with it."""
    line = {"type": "line", "name": label, "xref": "paper", "x0": 0, "x1": 1,
            "y0": value, "y1": value, "line": style}  # fmt: skip
    mark = _line_label(f"{label}<br>{value_text}", colour, x=1, xref="paper", xanchor="left",
                       xshift=4, y=value, yref="y", yanchor="middle", name=EDGE_LABEL)  # fmt: skip
    return {"shapes": [line], "annotations": [mark]}


def diagonal() -> dict:
    """The line y = x over the unit square (chance ROC, perfect calibration)."""
    return {"type": "line", "x0": 0, "y0": 0, "x1": 1, "y1": 1, "line": REFERENCE_LINE}


def bar_pattern(shape: str | list[str]) -> dict:
    """A bar pattern (one, or one per bar) drawn in white over the bar's own colour, so a
    patterned bar stays a solid bar of its colour."""
    return {"shape": shape, "fillmode": "overlay", "fgcolor": "white", "size": 8}


def bar_marks(failing: Sequence[bool], *, colour: str = BLUE) -> dict:
    """A bar trace's marker: failing bars red and hatched, the others in `colour`."""
    return {
        "color": [RED if fail else colour for fail in failing],
        "pattern": bar_pattern([FAIL_PATTERN if fail else "" for fail in failing]),
    }


def point_marks(failing: Sequence[bool], *, colour: str = BLUE, size: int = 11) -> dict:
    """A scatter trace's marker: failing points red crosses, the others circles."""
    return {
        "size": size,
        "symbol": [FAIL_SYMBOL if fail else PASS_SYMBOL for fail in failing],
        "color": [RED if fail else colour for fail in failing],
    }
