"""The run launch page: choose an approved plan, a model version and its data, and queue
a run; below the form, the project's runs so far."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import Action, user_can
from apps.evaluations.forms import RunLaunchForm
from apps.evaluations.models import EvaluationRun, Trigger
from apps.evaluations.services import run_create
from apps.projects.selectors import project_visible_or_404
from apps.projects.views_pagination import page_with_links
from qualiti.errors import QualitiError
from qualiti.forms import service_error_add
from qualiti.http import AuthenticatedHttpRequest

RUNS_PER_PAGE = 20


@login_required
@require_http_methods(["GET", "POST"])
def run_launch(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    may_launch = user_can(user=request.user, project_id=project.pk, action=Action.RUN_LAUNCH)
    status = 200
    if request.method == "POST":
        form = RunLaunchForm(request.POST, project=project)
        status = 400
        if form.is_valid():
            try:
                run = run_create(
                    project=project,
                    user=request.user,
                    triggered_by=Trigger.PAGE,
                    **form.cleaned_data,
                )
            except (QualitiError, ValidationError) as error:
                service_error_add(form, error)
                status = getattr(error, "status_code", 400)
            else:
                messages.success(request, f"Run {run.pk} queued; it starts when a worker is free.")
                return redirect("run-detail", slug=project.slug, run_id=run.pk)
    else:
        # Links such as "Launch a run on this version" preselect choices; nothing changes.
        form = RunLaunchForm(project=project, initial=request.GET.dict())
    runs = EvaluationRun.objects.filter(project=project).select_related(
        "test_plan", "model_version", "dataset", "created_by"
    )
    context = {
        "project": project,
        "tab": "runs",
        "form": form,
        "may_launch": may_launch,
        "runs": page_with_links(request, runs, per_page=RUNS_PER_PAGE),
    }
    return render(request, "evaluations/run_launch.html", context, status=status)
