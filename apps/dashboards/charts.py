"""The dashboards' pictures, as plotly figure specs for plotly.js served from static/,
drawn with the shared style of qualiti.charts."""

import datetime
from typing import TYPE_CHECKING

from apps.dashboards.selectors.project import MetricTrend
from apps.evaluations.engine.names import metric_name
from qualiti.charts import (
    AGE_COLOURS,
    BLUE,
    BOTTOM_LEGEND,
    FINDING_KIND_STYLE,
    VERDICT_STYLE,
    Figure,
    bar_pattern,
    category_axis,
    count_axis,
    date_axis,
    failing_points_note,
    iso_dates,
    layout,
    point_marks,
    threshold,
    week_axis,
)

if TYPE_CHECKING:
    from apps.dashboards.selectors.project import VersionWithVerdict

VERSION_ROW_HEIGHT = 28  # the timeline grows past a handful of versions, one row each


def _finding_bars(kind: str, weeks: list[datetime.date], counts: list[int]) -> dict:
    label, colour, pattern = FINDING_KIND_STYLE[kind]
    return {"type": "bar", "name": label, "x": iso_dates(weeks), "y": counts,
            "marker": {"color": colour, "pattern": bar_pattern(pattern)}}  # fmt: skip


def portfolio_trend(
    *, weeks: list[datetime.date], pass_rate: list[float | None], open_findings: list[int]
) -> Figure:
    """Pass rate of the checks (line, left axis) and open findings (bars, right axis).
    The line lives on the overlaying axis so plotly draws it over the bars."""
    line = {"type": "scatter", "mode": "lines+markers", "name": "Pass rate (%)",
            "x": iso_dates(weeks), "y": pass_rate, "yaxis": "y2", "connectgaps": True,
            "line": {"color": BLUE, "width": 3},
            "marker": {"color": BLUE, "size": 8,
                       "line": {"color": "white", "width": 1.5}}}  # fmt: skip
    return {
        "data": [_finding_bars("open", weeks, open_findings), line],
        "layout": layout(
            "Pass rate and open findings per week",
            xaxis=week_axis(weeks),
            yaxis=count_axis("open findings", open_findings, side="right"),
            yaxis2={"title": {"text": "pass rate (%)"}, "range": [0, 100], "overlaying": "y",
                    "side": "left", "automargin": True},
            legend=BOTTOM_LEGEND,
        ),
    }  # fmt: skip


def opened_and_closed(
    *, weeks: list[datetime.date], opened: list[int], closed: list[int]
) -> Figure:
    """Findings opened (red) and closed (green, dotted) per week, side by side."""
    return {
        "data": [_finding_bars("opened", weeks, opened), _finding_bars("closed", weeks, closed)],
        "layout": layout(
            "Findings opened and closed per week",
            barmode="group",
            xaxis=week_axis(weeks),
            yaxis=count_axis("findings", opened + closed),
            legend=BOTTOM_LEGEND,
        ),
    }


def findings_by_age(buckets: dict[str, int]) -> Figure:
    """Open findings by how long they have waited, warmer colours for older ones."""
    counts = list(buckets.values())
    return {
        "data": [{"type": "bar", "x": list(buckets), "y": counts,
                  "marker": {"color": AGE_COLOURS[: len(counts)]}}],
        "layout": layout("Open findings by age", yaxis=count_axis("findings", counts)),
    }  # fmt: skip


def versions_timeline(versions: list["VersionWithVerdict"]) -> Figure | None:
    """Each model version on its own row at its upload date, its marker (shape and
    colour) telling the latest verdict."""
    if not versions:
        return None
    rows = [f"v{v.sequence}" for v in versions]
    traces = []
    for verdict, (colour, symbol, label) in VERDICT_STYLE.items():
        chosen = [v for v in versions if (v.latest_verdict or "") == verdict]
        if not chosen:
            continue
        traces.append({
            "type": "scatter", "mode": "markers", "name": label,
            "x": iso_dates(v.created_at for v in chosen), "y": [f"v{v.sequence}" for v in chosen],
            "customdata": [v.label for v in chosen],
            "marker": {"color": colour, "symbol": symbol, "size": 14},
            "hovertemplate": "%{y} (%{customdata}): " + label
                             + "<br>uploaded %{x|%-d %b %Y %H:%M}<extra></extra>",
        })  # fmt: skip
    return {
        "data": traces,
        "layout": layout(
            "Model versions and their verdicts",
            xaxis=date_axis("uploaded", hoverformat="%-d %b %Y %H:%M"),
            yaxis=category_axis("version", categoryorder="array", categoryarray=rows),
            legend=BOTTOM_LEGEND,
            height=max(320, 160 + VERSION_ROW_HEIGHT * len(rows)),
        ),
    }


def metric_trend(trend: MetricTrend) -> Figure:
    """One criterion metric across versions, the threshold as a labelled dashed line,
    failing versions as red crosses."""
    labels = [point[0] for point in trend.points]
    values = [point[1] for point in trend.points]
    failing = [point[2] == "fail" for point in trend.points]
    lines = threshold(trend.threshold, comparator=trend.comparator)  # fmt: skip
    note = failing_points_note(trend.threshold, comparator=trend.comparator)
    return {
        "data": [{"type": "scatter", "mode": "lines+markers", "name": metric_name(trend.metric),
                  "x": labels, "y": values, "marker": point_marks(failing),
                  "line": {"color": BLUE}}],
        "layout": layout(f"{trend.code} {metric_name(trend.metric)}", "model version",
                         metric_name(trend.metric),
                         note=note, showlegend=False, **lines),
    }  # fmt: skip
