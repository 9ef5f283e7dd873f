"""The run page: a header saying who launched the run, how and when, how long it took,
on what (each a link) and its attempts, with a Cancel button while it works; a live
progress bar while the run works (htmx polls a fragment), then the verdict, the table of
checks (each failure linked to its finding), the charts and tables per category and the
comparison with the previous run."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Action, scope_to_visible_projects, user_can
from apps.evaluations.charts import distribution_choices, run_figures
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.evaluations.result_tables import anomaly_rows, weak_segment_rows
from apps.evaluations.run_header import run_attempt_words, run_duration_words, run_launch_words
from apps.evaluations.selectors import run_comparable, run_comparison, runs_to_compare_with
from apps.evaluations.services import run_cancel as run_cancel_service
from apps.findings.selectors import findings_of_failed_results
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise
from qualiti.http import AuthenticatedHttpRequest

_WORKING = (RunStatus.QUEUED, RunStatus.RUNNING)
_ORDER = {"fail": 0, "error": 1, "pass": 2, "skipped": 3}


def _visible_run(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> EvaluationRun:
    """The run, or 404 when it does not exist or its project is not the user's to see."""
    runs = scope_to_visible_projects(EvaluationRun.objects.all(), user=request.user)
    return get_object_or_404(
        runs.select_related(
            "project",
            "test_plan",
            "model_version",
            "dataset",
            "reference_dataset",
            "training_dataset",
            "created_by",
        ),
        pk=run_id,
        project__slug=slug,
    )


def _may_cancel(request: AuthenticatedHttpRequest, run: EvaluationRun) -> bool:
    """A Cancel button for who may launch runs, while the run works and no cancel is
    pending already."""
    return (
        run.status in _WORKING
        and not run.cancel_requested
        and user_can(user=request.user, project_id=run.project_id, action=Action.RUN_LAUNCH)
    )


@login_required
def run_detail(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    run = _visible_run(request, slug, run_id)
    context = {
        "run": run,
        "project": run.project,
        "tab": "runs",
        "working": run.status in _WORKING,
        "launched": run_launch_words(run),
        "duration": run_duration_words(run, now=timezone.now()),
        "attempts": run_attempt_words(run),
        "may_cancel": _may_cancel(request, run),
    }
    if not context["working"]:
        results = sorted(
            run.results.select_related("criterion"),
            key=lambda result: (_ORDER.get(result.outcome, 9), result.check_key, result.subject),
        )
        findings = findings_of_failed_results(run=run, results=results)
        figures = run_figures(results)
        other = None
        if "compare" in request.GET:
            other = run_comparable(run=run, other_id=request.GET["compare"])
            if other is None:
                raise Http404("No finished run of this project has that number.")
        comparison = run_comparison(run=run, other=other)
        context.update(
            results=results,
            checks=[(result, findings.get(result.pk)) for result in results],
            figures=figures,
            distributions=distribution_choices(figures),
            weak_segments=weak_segment_rows(results),
            anomalies=anomaly_rows(results),
            comparison=comparison,
            metric_changes=[row for row in comparison["checks"] if row["delta"] is not None],
            comparable_runs=runs_to_compare_with(run=run),
        )
    return render(request, "evaluations/run_detail.html", context)


@login_required
def run_progress(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The progress fragment htmx polls; once the run is over, the page reloads itself to
    show the results."""
    run = _visible_run(request, slug, run_id)
    response = render(request, "evaluations/_run_progress.html", {"run": run})
    if run.status not in _WORKING:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_cancel(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The Cancel button: a queued run is cancelled at once, a running one stops at its
    next step; a run already over is left as it is."""
    run = _visible_run(request, slug, run_id)
    try:
        run = run_cancel_service(run=run, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
        return redirect("run-detail", slug=run.project.slug, run_id=run.pk)
    if run.status == RunStatus.CANCELLED:
        messages.success(request, f"Run {run.pk} is cancelled.")
    elif run.cancel_requested and run.status == RunStatus.RUNNING:
        messages.success(request, f"Run {run.pk} stops at its next step.")
    else:
        messages.info(request, f"Run {run.pk} is already {run.get_status_display().lower()}.")
    return redirect("run-detail", slug=run.project.slug, run_id=run.pk)
