"""The portfolio (everyone's home page) and a project's overview."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.accounts.permissions import can_create_project
from apps.dashboards import charts
from apps.dashboards.forms import PortfolioFilterForm
from apps.dashboards.selectors import management
from apps.dashboards.selectors.portfolio import SEVERITIES, STATUS_LABELS, portfolio_statuses
from apps.dashboards.selectors.project import (
    findings_summary,
    metric_trends,
    model_versions_with_verdicts,
    project_overview_status,
    project_team,
    recent_runs,
)
from apps.dashboards.selectors.readiness import first_project_checklist, next_steps
from apps.evaluations.models import EvaluationRun
from apps.findings.models import Finding
from apps.projects.selectors import project_visible_or_404
from qualiti.http import AuthenticatedHttpRequest

PROJECTS_PER_PAGE = 50
TREND_WEEKS = 12


@login_required
def portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PortfolioFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = portfolio_statuses(
        user=request.user,
        search=filters.get("q", ""),
        level=filters.get("status", ""),
        risk_level=filters.get("risk_level", ""),
        team_id=filters["team"].pk if filters.get("team") else None,
    )
    project_ids = [row.project.pk for row in rows]
    findings = Finding.objects.filter(project_id__in=project_ids)
    runs = EvaluationRun.objects.filter(project_id__in=project_ids)
    today = timezone.localdate()
    weeks = management.week_starts(today=today, weeks=TREND_WEEKS)
    per_week = management.opened_and_closed_per_week(findings, weeks=weeks)
    age = management.findings_by_age(findings, now=timezone.now())
    figures = {}
    if rows:
        figures = {
            "trend": charts.portfolio_trend(
                weeks=weeks,
                pass_rate=management.pass_rate_per_week(runs, weeks=weeks),
                open_findings=per_week["open"],
            ),
            "opened-closed": charts.opened_and_closed(
                weeks=weeks, opened=per_week["opened"], closed=per_week["closed"]
            ),
            "age": charts.findings_by_age(age),
        }
    page = Paginator(rows, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page:
        row.next_steps = next_steps(user=request.user, status=row)
    context = {
        "form": form,
        "page": page,
        "row_count": len(rows),
        # Not evaluated projects are counted apart: they are neither passing nor failing.
        "levels": {level: sum(row.level == level for row in rows) for level in STATUS_LABELS},
        "not_evaluated": sum(not row.evaluated for row in rows),
        "severities": SEVERITIES,
        "mttr": management.mean_time_to_remediate(findings),
        "age": age,
        "sla": management.sla_compliance(findings, today=today),
        "figures": figures,
        "can_create_project": can_create_project(user=request.user),
        "filtered": bool(filters and any(filters.values())),
        "query": _without_page(request),
    }
    return render(request, "dashboards/portfolio.html", context)


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def project_overview(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    versions = model_versions_with_verdicts(project=project)
    trends = metric_trends(versions=versions)
    figures = {f"metric-{index}": charts.metric_trend(trend) for index, trend in enumerate(trends)}
    timeline = charts.versions_timeline(versions)
    if timeline:
        figures["versions"] = timeline
    status = project_overview_status(user=request.user, project=project)
    status.next_steps = next_steps(user=request.user, status=status)
    checklist = (
        [] if status.evaluated else first_project_checklist(user=request.user, status=status)
    )
    context = {
        "checklist": checklist,
        "project": project,
        "tab": "overview",
        "status": status,
        "versions": list(reversed(versions)),
        "trends": trends,
        "figures": figures,
        "findings": findings_summary(project=project),
        "severities": SEVERITIES,
        "members": project_team(project=project),
        "runs": recent_runs(project=project),
    }
    return render(request, "dashboards/project_overview.html", context)
