"""Project and portfolio reports: what happened over a period (the last 30 days unless the
request names one), with the quality manager's commentary on it."""

from typing import Any

from django.utils import timezone
from django.utils.safestring import mark_safe

from apps.dashboards.selectors.portfolio import SEVERITIES
from apps.findings.templatetags.markdown_filters import markdown_to_safe_html
from apps.reports.models import Report, ReportKind
from apps.reports.period import (
    EXPIRING_WITHIN,
    RISKS_LISTED,
    RUNS_LISTED,
    Period,
    PeriodData,
    portfolio_period,
    project_period,
)
from apps.reports.period_charts import period_figures
from apps.reports.render import renderer_register
from apps.standards.selectors import project_framework_coverage
from qualiti.errors import InvalidInput


def report_period(report: Report) -> Period:
    """The report's period; the last 30 days up to the day it was asked for by default."""
    if report.period_start and report.period_end:
        return Period(start=report.period_start, end=report.period_end)
    asked_on = timezone.localdate(report.created_at) if report.created_at else None
    return Period.last_days(end=report.period_end or asked_on)


def _context(report: Report, data: PeriodData) -> dict[str, Any]:
    commentary = markdown_to_safe_html(report.commentary) if report.commentary.strip() else ""
    return {
        "period": data.period,
        "data": data,
        "figures": period_figures(data),
        # Sanitised by nh3 in markdown_to_safe_html.
        "commentary": mark_safe(commentary),  # noqa: S308
        "severities": SEVERITIES,
        "severity_rows": data.severity_rows(),
        "runs_listed": RUNS_LISTED,
        "risks_listed": RISKS_LISTED,
        "expiring_days": EXPIRING_WITHIN.days,
    }


def project_report(report: Report) -> tuple[str, dict[str, Any]]:
    project = report.project
    if project is None:  # the model's constraint forbids it; said for the type checker
        raise InvalidInput("A project report needs its project.")
    data = project_period(project=project, period=report_period(report))
    coverage = {
        "coverages": project_framework_coverage(project=project),
        "coverage_note": "As the report was made: measured criteria are judged by the latest "
        "succeeded run that judged them, process criteria by their attestations.",
    }
    return "reports/project_report.html", {
        "project": project,
        **_context(report, data),
        **coverage,
    }


def portfolio_report(report: Report) -> tuple[str, dict[str, Any]]:
    data = portfolio_period(user=report.created_by, period=report_period(report))
    return "reports/portfolio_report.html", _context(report, data)


renderer_register(ReportKind.PROJECT, project_report)
renderer_register(ReportKind.PORTFOLIO, portfolio_report)
