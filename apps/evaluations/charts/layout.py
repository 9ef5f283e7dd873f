"""What every chart of a run shares: the layout, the threshold line, the colours."""

from typing import Any

Figure = dict[str, Any]
BLUE, RED, GREY = "#2e6da4", "#b42318", "#94a3b8"
THRESHOLD_LINE = {"color": RED, "dash": "dash", "width": 2}
DIAGONAL_LINE = {"color": GREY, "dash": "dot", "width": 1}


def layout(title: str, x: str = "", y: str = "", **extra) -> dict:
    """A plotly layout with the run page's margins; the x axis is categorical unless
    `xaxis` says otherwise."""
    return {
        "title": {"text": title},
        "xaxis": {"title": {"text": x}, "automargin": True, "type": "category"},
        "yaxis": {"title": {"text": y}, "automargin": True},
        "margin": {"t": 48, "r": 16, "b": 48, "l": 56},
        "height": 320,
        **extra,
    }


def unit_axis(title: str) -> dict:
    """A linear axis from 0 to 1 (rates, probabilities)."""
    return {"title": {"text": title}, "type": "linear", "range": [0, 1.02], "automargin": True}


def threshold(value: float | None, *, horizontal: bool = True) -> list[dict]:
    """A dashed red line at a threshold, across the plot."""
    if value is None:
        return []
    if horizontal:
        return [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": value, "y1": value,
                 "line": THRESHOLD_LINE}]  # fmt: skip
    return [{"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": value, "x1": value,
             "line": THRESHOLD_LINE}]  # fmt: skip


def diagonal() -> dict:
    """The line y = x over the unit square (chance ROC, perfect calibration)."""
    return {"type": "line", "x0": 0, "y0": 0, "x1": 1, "y1": 1, "line": DIAGONAL_LINE}
