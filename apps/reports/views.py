"""The Reports tab of a project: its reports with their progress (htmx polls the list
while one is being generated), a form to generate one, and the stored files, served only
through these permission-checked views under the report's own policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.permissions import Action, user_can
from apps.evaluations.models import EvaluationRun
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from apps.reports import selectors, services
from apps.reports.forms import ReportRequestForm
from apps.reports.models import Report, ReportStatus
from apps.reports.responses import stored_report_response
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise, service_error_add
from qualiti.http import AuthenticatedHttpRequest

LISTED = 100
WORKING = (ReportStatus.QUEUED, ReportStatus.RUNNING)


def _rows_context(project: Project, user) -> dict:
    reports = list(selectors.project_reports(project_id=project.pk)[:LISTED])
    return {
        "project": project,
        "reports": reports,
        "working": any(report.status in WORKING for report in reports),
        "may_share": user_can(user=user, project_id=project.pk, action=Action.REPORT_SHARE),
        "may_schedule": user_can(user=user, project_id=project.pk, action=Action.SCHEDULES_MANAGE),
    }


def _render_tab(
    request: AuthenticatedHttpRequest, project: Project, form: ReportRequestForm, status=200
) -> HttpResponse:
    context = {**_rows_context(project, request.user), "tab": "reports", "form": form}
    return render(request, "reports/project_reports.html", context, status=status)


@login_required
@require_GET
def project_reports(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    return _render_tab(request, project, ReportRequestForm(project=project))


@login_required
@require_GET
def project_report_rows(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The list's fragment htmx polls while a report is being generated."""
    project = project_visible_or_404(user=request.user, slug=slug)
    return render(request, "reports/_report_rows.html", _rows_context(project, request.user))


@login_required
@require_POST
def report_request_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Generate a report from the tab's form (or the run page's Report button, which
    posts kind=run and the run)."""
    project = project_visible_or_404(user=request.user, slug=slug)
    form = ReportRequestForm(request.POST, project=project)
    if form.is_valid():
        try:
            report = services.report_request(
                kind=form.cleaned_data["kind"], user=request.user, project=project,
                **form.subject(),
            )  # fmt: skip
        except QualitiError as error:
            service_error_add(form, error)
            return _render_tab(request, project, form, status=getattr(error, "status_code", 400))
        messages.success(request, f"{report} is being generated: it appears below when ready.")
        return redirect("project-reports", slug=project.slug)
    return _render_tab(request, project, form, status=400)


@login_required
@require_POST
def run_report_request(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The run page's Report button."""
    project = project_visible_or_404(user=request.user, slug=slug)
    run = get_object_or_404(EvaluationRun, pk=run_id, project=project)
    try:
        report = services.report_request(kind="run", user=request.user, run=run)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect("run-detail", slug=project.slug, run_id=run.pk)
    messages.success(request, f"{report} of run {run.pk} is being generated.")
    return redirect("project-reports", slug=project.slug)


@login_required
@require_GET
def report_file(
    request: AuthenticatedHttpRequest, slug: str, report_id: int, fmt: str
) -> FileResponse:
    """A report's stored HTML (opened in the browser, sandboxed) or PDF (downloaded)."""
    project = project_visible_or_404(user=request.user, slug=slug)
    report = get_object_or_404(Report, pk=report_id, project=project)
    return stored_report_response(report, fmt)
