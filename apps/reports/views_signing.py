"""Pages of the sign-off: the quality manager's analysis of a run (its form sits on the run
page; this page shows it again with its errors), "Sign the report", and the page that says
whether an uploaded file is a signed report of this instance."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.permissions import Action, require_action, scope_to_visible_projects
from apps.evaluations.models import EvaluationRun
from apps.reports.forms_signing import ReportVerifyForm, RunAnalysisForm
from apps.reports.models import RunAnalysis
from apps.reports.services_signing import run_analysis_save, run_report_sign
from apps.reports.verification import report_verify
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise, service_error_add
from qualiti.http import AuthenticatedHttpRequest


def _visible_run(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> EvaluationRun:
    """The run, or 404 when it does not exist or its project is not the user's to see."""
    runs = scope_to_visible_projects(EvaluationRun.objects.all(), user=request.user)
    return get_object_or_404(
        runs.select_related("project", "model_version"), pk=run_id, project__slug=slug
    )


def _run_url(run: EvaluationRun, anchor: str = "#analysis") -> str:
    return reverse("run-detail", args=[run.project.slug, run.pk]) + anchor


def _analysis_page(
    request: AuthenticatedHttpRequest, run: EvaluationRun, form: RunAnalysisForm, status: int
) -> HttpResponse:
    context = {"run": run, "project": run.project, "tab": "runs", "form": form}
    return render(request, "reports/run_analysis_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def run_analysis_edit(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    """GET: the analysis form alone; POST (from here or the run page): save it, back to the
    run page; a refusal shows this page again with the words kept and the message."""
    run = _visible_run(request, slug, run_id)
    require_action(user=request.user, project_id=run.project_id, action=Action.REPORT_SIGN)
    if request.method == "GET":
        analysis = RunAnalysis.objects.filter(run=run).first()
        initial = {
            "text": analysis.text if analysis else "",
            "conclusion": analysis.conclusion if analysis else "",
            "conditions": analysis.conditions if analysis else "",
        }
        return _analysis_page(request, run, RunAnalysisForm(initial=initial), 200)
    form = RunAnalysisForm(request.POST)
    if not form.is_valid():
        return _analysis_page(request, run, form, 400)
    try:
        run_analysis_save(run=run, user=request.user, **form.cleaned_data)
    except QualitiError as error:
        service_error_add(form, error)
        return _analysis_page(request, run, form, error.status_code)
    messages.success(request, f"The analysis of run {run.pk} is saved.")
    return redirect(_run_url(run))


@login_required
@require_POST
def run_sign(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The "Sign the report" button: a new signed report, rendered now (a few seconds)."""
    run = _visible_run(request, slug, run_id)
    try:
        report = run_report_sign(run=run, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect(_run_url(run))
    replaces = f", replacing report {report.replaces_id}" if report.replaces_id else ""
    messages.success(
        request,
        f"Report {report.pk} is signed{replaces}. It never changes; sign again to correct it.",
    )
    return redirect(_run_url(run))


@login_required
@require_http_methods(["GET", "POST"])
def report_verify_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a file; the page says whether it is a signed report of this instance,
    unaltered, and which (only reports of projects the user may see are named)."""
    posted = request.method == "POST"
    form = ReportVerifyForm(request.POST, request.FILES) if posted else ReportVerifyForm()
    context: dict[str, object] = {"form": form}
    status = 200
    if posted:
        if form.is_valid():
            upload = form.cleaned_data["file"]
            context["verification"] = report_verify(chunks=upload.chunks(), user=request.user)
            context["file_name"] = upload.name
        else:
            status = 400
    return render(request, "reports/verify.html", context, status=status)
