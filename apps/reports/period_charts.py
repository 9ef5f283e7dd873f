"""The pictures of a project or portfolio report, as plotly figure specs: the dashboards'
trend charts over the period's weeks, and two of the report's own."""

from typing import Any

from apps.dashboards import charts
from apps.dashboards.selectors.portfolio import SEVERITIES
from apps.reports.period import RUN_OUTCOMES, PeriodData

Figure = dict[str, Any]
_OUTCOME_COLOURS = {
    "pass": "#1e6b36",
    "pass_with_warnings": "#8a5a00",
    "fail": "#b3261e",
    "failed": "#5b2a86",
    "cancelled": "#718096",
    "unfinished": "#1f5f8b",
}
_KIND_STYLE = {  # colour and bar pattern, so the kind is not told by colour alone
    "opened": ("Opened", "#b3261e", ""),
    "closed": ("Closed", "#1e6b36", "/"),
    "overdue": ("Overdue at the end", "#8a5a00", "x"),
}


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "margin": {"t": 48, "r": 24, "b": 64, "l": 56},
        "height": 320,
        "legend": {"orientation": "h", "y": -0.25},
        **extra,
    }


def run_outcomes(data: PeriodData) -> Figure:
    """The period's runs by what came of them."""
    outcomes = [key for key, count in data.run_outcomes.items() if count] or ["pass"]
    return {
        "data": [
            {
                "type": "bar",
                "x": [RUN_OUTCOMES[key] for key in outcomes],
                "y": [data.run_outcomes[key] for key in outcomes],
                "text": [str(data.run_outcomes[key]) for key in outcomes],
                "textposition": "auto",
                "marker": {"color": [_OUTCOME_COLOURS[key] for key in outcomes]},
                "hovertemplate": "%{x}: %{y}<extra></extra>",
            }
        ],
        "layout": _layout(
            "Runs of the period and their verdicts",
            xaxis={"type": "category"},
            yaxis={"title": {"text": "runs"}, "rangemode": "tozero", "dtick": 1},
            showlegend=False,
        ),
    }


def findings_by_severity(data: PeriodData) -> Figure:
    """Findings opened, closed and overdue in the period, per severity."""
    traces = []
    for kind, (label, colour, pattern) in _KIND_STYLE.items():
        traces.append(
            {
                "type": "bar",
                "name": label,
                "x": SEVERITIES,
                "y": [data.by_severity[kind][severity] for severity in SEVERITIES],
                "marker": {"color": colour, "pattern": {"shape": pattern}},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            "Findings by severity",
            barmode="group",
            xaxis={"type": "category"},
            yaxis={"title": {"text": "findings"}, "rangemode": "tozero"},
        ),
    }


def period_figures(data: PeriodData) -> dict[str, Figure]:
    """Every chart of a project or portfolio report, by the name its template uses."""
    return {
        "trend": charts.portfolio_trend(
            weeks=data.weeks, pass_rate=data.pass_rate, open_findings=data.per_week["open"]
        ),
        "opened-closed": charts.opened_and_closed(
            weeks=data.weeks, opened=data.per_week["opened"], closed=data.per_week["closed"]
        ),
        "runs": run_outcomes(data),
        "severity": findings_by_severity(data),
    }
