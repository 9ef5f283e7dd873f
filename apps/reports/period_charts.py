"""The pictures of a project or portfolio report, as plotly figure specs: the dashboards'
trend charts over the period's weeks, and two of the report's own."""

from typing import Any

from apps.dashboards import charts
from apps.dashboards.selectors.portfolio import SEVERITIES
from apps.reports.period import RUN_OUTCOMES, PeriodData
from qualiti.charts import (
    BLUE,
    BOTTOM_LEGEND,
    FAIL_PATTERN,
    FINDING_KIND_STYLE,
    GREY,
    PURPLE,
    VERDICT_STYLE,
    Figure,
    bar_pattern,
    count_axis,
    layout,
)

_OUTCOME_COLOURS = {
    **{verdict: colour for verdict, (colour, _, _) in VERDICT_STYLE.items() if verdict},
    "failed": PURPLE,
    "cancelled": GREY,
    "unfinished": BLUE,
}
_FAILING = ("fail", "failed")  # the check failed, or the run itself did
_KIND_LABELS = {"opened": "Opened", "closed": "Closed", "overdue": "Overdue at the end"}


def run_outcomes(data: PeriodData) -> Figure:
    """The period's runs by what came of them; the failing ones hatched as well as red."""
    outcomes = [key for key, count in data.run_outcomes.items() if count] or ["pass"]
    counts = [data.run_outcomes[key] for key in outcomes]
    hatched = [FAIL_PATTERN if key in _FAILING else "" for key in outcomes]
    marker = {"color": [_OUTCOME_COLOURS[key] for key in outcomes], "pattern": bar_pattern(hatched)}
    return {
        "data": [
            {
                "type": "bar",
                "x": [RUN_OUTCOMES[key] for key in outcomes],
                "y": counts,
                "text": [str(count) for count in counts],
                "textposition": "auto",
                "marker": marker,
                "hovertemplate": "%{x}: %{y}<extra></extra>",
            }
        ],
        "layout": layout(
            "Runs of the period and their verdicts",
            note="hatched bars: runs that failed" if any(hatched) else "",
            yaxis=count_axis("runs", counts),
            showlegend=False,
        ),
    }


def findings_by_severity(data: PeriodData) -> Figure:
    """Findings opened, closed and overdue in the period, per severity."""
    traces: list[dict[str, Any]] = []
    for kind, label in _KIND_LABELS.items():
        _, colour, pattern = FINDING_KIND_STYLE[kind]
        traces.append(
            {
                "type": "bar",
                "name": label,
                "x": SEVERITIES,
                "y": [data.by_severity[kind][severity] for severity in SEVERITIES],
                "marker": {"color": colour, "pattern": bar_pattern(pattern)},
            }
        )
    counts = [count for trace in traces for count in trace["y"]]
    return {
        "data": traces,
        "layout": layout(
            "Findings by severity",
            barmode="group",
            yaxis=count_axis("findings", counts),
            legend=BOTTOM_LEGEND,
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
