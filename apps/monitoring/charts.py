"""The Monitoring tab's pictures: one plotly figure per monitored metric, its batches on
the x axis, a line per subject, the threshold dashed and labelled, failing points marked
by shape and colour (not by colour alone). Drawn by static/js/charts.js with plotly.js
from static/, in the shared style of qualiti.charts."""

from apps.evaluations.engine.names import metric_name
from apps.monitoring.selectors import MonitoredMetric
from qualiti.charts import (
    BOTTOM_LEGEND,
    SERIES,
    Figure,
    category_axis,
    failing_points_note,
    layout,
    point_marks,
    threshold,
)

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
        colour = SERIES[index % len(SERIES)]
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": subject, "x": shown,
            "y": [points[label][0] for label in shown],
            "customdata": [points[label][1] for label in shown],
            "marker": point_marks(failing, colour=colour), "line": {"color": colour, "width": 2},
            "hovertemplate": "%{x}<br>" + subject + ": %{y:.4g} (%{customdata})<extra></extra>",
        })  # fmt: skip
    note = failing_points_note(metric.threshold, comparator=metric.comparator)
    return {
        "data": traces,
        "layout": layout(
            f"{metric.code} {metric_name(metric.metric)}", y=metric_name(metric.metric), note=note,
            # Several subjects (drift per column): the chart spans the grid, the legend
            # below it (the right margin holds the threshold's label).
            legend=BOTTOM_LEGEND,
            showlegend=len(traces) > 1,
            xaxis=category_axis(categoryorder="array", categoryarray=batches),
            **threshold(metric.threshold, comparator=metric.comparator),
        ),
    }  # fmt: skip
