"""The dashboards' pictures, as plotly figure specs for plotly.js served from static/."""

import datetime
from typing import TYPE_CHECKING, Any

from apps.dashboards.selectors.project import MetricTrend

if TYPE_CHECKING:
    from apps.dashboards.selectors.project import VersionWithVerdict

Figure = dict[str, Any]
_RED, _GREEN, _AMBER, _BLUE, _GREY = "#b3261e", "#1e6b36", "#8a5a00", "#1f5f8b", "#718096"
_VERDICT_STYLE = {  # colour and a marker shape, so the verdict is not told by colour alone
    "pass": (_GREEN, "circle", "Pass"),
    "pass_with_warnings": (_AMBER, "diamond", "Pass with warnings"),
    "fail": (_RED, "x", "Fail"),
    "": (_GREY, "circle-open", "Not evaluated"),
}


def _layout(title: str, **extra: Any) -> dict:
    return {
        "title": {"text": title},
        "margin": {"t": 48, "r": 56, "b": 48, "l": 56},
        "height": 320,
        "legend": {"orientation": "h", "y": -0.2},
        **extra,
    }


def _week_labels(weeks: list[datetime.date]) -> list[str]:
    """Short labels ("30 Nov") that fit under narrow charts without being cut."""
    return [week.strftime("%-d %b") for week in weeks]


def portfolio_trend(
    *, weeks: list[datetime.date], pass_rate: list[float | None], open_findings: list[int]
) -> Figure:
    """Pass rate of the checks (line, left axis) and open findings (bars, right axis)."""
    labels = _week_labels(weeks)
    return {
        "data": [
            {"type": "bar", "name": "Open findings", "x": labels, "y": open_findings,
             "yaxis": "y2", "marker": {"color": "#c9d3e3"}},
            {"type": "scatter", "mode": "lines+markers", "name": "Pass rate (%)", "x": labels,
             "y": pass_rate, "connectgaps": True, "line": {"color": _BLUE, "width": 3}},
        ],
        "layout": _layout(
            "Pass rate and open findings per week",
            xaxis={"type": "category", "tickangle": -45},
            yaxis={"title": {"text": "pass rate (%)"}, "range": [0, 100]},
            yaxis2={"title": {"text": "open findings"}, "overlaying": "y", "side": "right",
                    "rangemode": "tozero"},
        ),
    }  # fmt: skip


def opened_and_closed(
    *, weeks: list[datetime.date], opened: list[int], closed: list[int]
) -> Figure:
    labels = _week_labels(weeks)
    return {
        "data": [
            {"type": "bar", "name": "Opened", "x": labels, "y": opened, "marker": {"color": _RED}},
            {
                "type": "bar",
                "name": "Closed",
                "x": labels,
                "y": closed,
                "marker": {"color": _GREEN},
            },
        ],
        "layout": _layout(
            "Findings opened and closed per week",
            barmode="group",
            xaxis={"type": "category", "tickangle": -45},
            yaxis={"title": {"text": "findings"}, "rangemode": "tozero"},
        ),
    }


def findings_by_age(buckets: dict[str, int]) -> Figure:
    return {
        "data": [{"type": "bar", "x": list(buckets), "y": list(buckets.values()),
                  "marker": {"color": [_GREEN, _AMBER, "#a4410e", _RED]}}],
        "layout": _layout("Open findings by age", xaxis={"type": "category"},
                          yaxis={"title": {"text": "findings"}, "rangemode": "tozero"}),
    }  # fmt: skip


def versions_timeline(versions: list["VersionWithVerdict"]) -> Figure | None:
    """Each model version at its upload date, its marker telling the latest verdict."""
    if not versions:
        return None
    traces = []
    for verdict, (colour, symbol, label) in _VERDICT_STYLE.items():
        chosen = [v for v in versions if (v.latest_verdict or "") == verdict]
        if not chosen:
            continue
        traces.append({
            "type": "scatter", "mode": "markers+text", "name": label,
            "x": [v.created_at.isoformat() for v in chosen], "y": [v.sequence for v in chosen],
            "text": [f"v{v.sequence}" for v in chosen], "textposition": "top center",
            "marker": {"color": colour, "symbol": symbol, "size": 14},
            "hovertemplate": "%{text}: " + label + "<extra></extra>",
        })  # fmt: skip
    return {
        "data": traces,
        "layout": _layout("Model versions and their verdicts",
                          xaxis={"title": {"text": "uploaded"}, "type": "date",
                                 "tickformat": "%-d %b %Y", "hoverformat": "%-d %b %Y %H:%M"},
                          yaxis={"title": {"text": "version"}, "dtick": 1, "rangemode": "tozero"}),
    }  # fmt: skip


def metric_trend(trend: MetricTrend) -> Figure:
    """One criterion metric across versions, the threshold as a dashed line."""
    labels = [point[0] for point in trend.points]
    symbols = ["x" if point[2] == "fail" else "circle" for point in trend.points]
    shapes = []
    if trend.threshold is not None:
        line = {"color": _RED, "dash": "dash", "width": 2}
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1,
                       "y0": trend.threshold, "y1": trend.threshold, "line": line})  # fmt: skip
    return {
        "data": [{"type": "scatter", "mode": "lines+markers", "name": trend.metric, "x": labels,
                  "y": [point[1] for point in trend.points],
                  "marker": {"symbol": symbols, "size": 11, "color": _BLUE}}],
        "layout": _layout(
            f"{trend.code} {trend.metric}<br><sub>threshold {trend.comparator} "
            f"{trend.threshold:g}</sub>"
            if trend.threshold is not None else f"{trend.code} {trend.metric}",
            xaxis={"title": {"text": "model version"}, "type": "category"},
            yaxis={"title": {"text": trend.metric}}, shapes=shapes, showlegend=False,
        ),
    }  # fmt: skip
