"""The Monitoring tab's pictures: one plotly figure per monitored metric, its batches on
the x axis, a line per subject, the threshold dashed, failing points marked by shape and
colour (not by colour alone). Drawn by static/js/charts.js with plotly.js from static/."""

from typing import Any

from apps.monitoring.selectors import MonitoredMetric

Figure = dict[str, Any]
_RED, _PALETTE = "#b3261e", ["#1f5f8b", "#1e6b36", "#8a5a00", "#5b3f8c", "#0f6f6f", "#4a5568"]
SUBJECTS_SHOWN = 12  # beyond that the lines are unreadable; the worst ones are kept


def _worst_first(metric: MonitoredMetric) -> list[str]:
    """Subjects with a failing point first, then by their latest value on the failing side."""
    higher_passes = metric.comparator.startswith(">")

    def key(subject: str) -> tuple[int, float]:
        points = list(metric.series[subject].values())
        fails = sum(outcome == "fail" for _, outcome, _ in points)
        latest = points[-1][0]
        return (-fails, latest if higher_passes else -latest)

    return sorted(metric.series, key=key)


def metric_over_batches(metric: MonitoredMetric, *, batches: list[str]) -> Figure:
    """One metric across the batches (labels in upload order)."""
    traces = []
    for index, subject in enumerate(_worst_first(metric)[:SUBJECTS_SHOWN]):
        points = metric.series[subject]
        shown = [label for label in batches if label in points]
        failing = [points[label][1] == "fail" for label in shown]
        colour = _PALETTE[index % len(_PALETTE)]
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": subject, "x": shown,
            "y": [points[label][0] for label in shown],
            "customdata": [points[label][1] for label in shown],
            "marker": {"size": 11, "symbol": ["x" if fail else "circle" for fail in failing],
                       "color": [_RED if fail else colour for fail in failing]},
            "line": {"color": colour, "width": 2},
            "hovertemplate": "%{x}<br>" + subject + ": %{y:.4g} (%{customdata})<extra></extra>",
        })  # fmt: skip
    shapes, title = [], f"{metric.code} {metric.metric}"
    if metric.threshold is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1,
                       "y0": metric.threshold, "y1": metric.threshold,
                       "line": {"color": _RED, "dash": "dash", "width": 2}})  # fmt: skip
        title += f"<br><sub>threshold {metric.comparator} {metric.threshold:g}; a cross fails</sub>"
    return {
        "data": traces,
        "layout": {
            "title": {"text": title},
            "margin": {"t": 56, "r": 24, "b": 24, "l": 56},
            "height": 340,
            # Several subjects (drift per column): the chart spans the grid, legend aside.
            "legend": {"orientation": "v", "x": 1.02, "y": 1},
            "showlegend": len(traces) > 1,
            "xaxis": {"type": "category", "categoryorder": "array", "categoryarray": batches,
                      "automargin": True},
            "yaxis": {"title": {"text": metric.metric}, "automargin": True},
            "shapes": shapes,
        },
    }  # fmt: skip
