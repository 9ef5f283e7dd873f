"""The run page: a live progress bar while the run works (htmx polls a fragment), then
the verdict, the table of checks, the charts and tables per category and the comparison
with the previous run."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.accounts.permissions import scope_to_visible_projects
from apps.evaluations.charts import distribution_choices, run_figures
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.evaluations.result_tables import anomaly_rows, weak_segment_rows
from apps.evaluations.selectors import run_comparison
from qualiti.http import AuthenticatedHttpRequest

_WORKING = (RunStatus.QUEUED, RunStatus.RUNNING)
_ORDER = {"fail": 0, "error": 1, "pass": 2, "skipped": 3}


def _visible_run(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> EvaluationRun:
    """The run, or 404 when it does not exist or its project is not the user's to see."""
    runs = scope_to_visible_projects(EvaluationRun.objects.all(), user=request.user)
    return get_object_or_404(
        runs.select_related("project", "test_plan", "model_version", "dataset"),
        pk=run_id,
        project__slug=slug,
    )


@login_required
def run_detail(request: AuthenticatedHttpRequest, slug: str, run_id: int) -> HttpResponse:
    run = _visible_run(request, slug, run_id)
    context = {"run": run, "working": run.status in _WORKING}
    if not context["working"]:
        results = sorted(
            run.results.select_related("criterion"),
            key=lambda result: (_ORDER.get(result.outcome, 9), result.check_key, result.subject),
        )
        figures = run_figures(results)
        comparison = run_comparison(run=run)
        context.update(
            results=results,
            figures=figures,
            distributions=distribution_choices(figures),
            weak_segments=weak_segment_rows(results),
            anomalies=anomaly_rows(results),
            comparison=comparison,
            metric_changes=[row for row in comparison["checks"] if row["delta"] is not None],
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
