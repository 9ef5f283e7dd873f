"""A project's report schedule, for its quality manager (or an admin): the form is shown on
the project's Reports tab (the `report_schedule_panel` tag) and on a page of its own, where
an invalid change comes back with its errors. Anyone else who sees the project sees the
schedule and is refused a change (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import Action, require_action
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from apps.reports.forms_schedule import ReportScheduleForm
from apps.reports.schedules import report_schedule_set, schedule_for
from qualiti.errors import QualitiError
from qualiti.forms import service_error_add
from qualiti.http import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def report_schedule(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    require_action(user=request.user, project_id=project.pk, action=Action.SCHEDULES_MANAGE)
    schedule = schedule_for(project=project)
    if request.method == "GET":
        form = ReportScheduleForm(project=project, schedule=schedule)
        return _render(request, project, form)
    form = ReportScheduleForm(request.POST, project=project, schedule=schedule)
    if not form.is_valid():
        return _render(request, project, form, status=400)
    try:
        schedule = report_schedule_set(
            user=request.user,
            project=project,
            frequency=form.cleaned_data["frequency"],
            subscribers=form.cleaned_data["subscribers"],
            active=form.cleaned_data["active"],
        )
    except QualitiError as error:
        service_error_add(form, error)
        return _render(request, project, form, status=error.status_code)
    if schedule.active:
        count = schedule.subscribers.count()
        messages.success(
            request,
            f"The project report will be sent {schedule.get_frequency_display().lower()} "
            f"to {count} subscriber{'' if count == 1 else 's'}.",
        )
    else:
        messages.success(request, "The scheduled report is stopped.")
    return redirect(reverse("project-reports", args=[project.slug]))


def _render(
    request: AuthenticatedHttpRequest, project: Project, form: ReportScheduleForm, status: int = 200
) -> HttpResponse:
    context = {
        "project": project,
        "tab": "reports",
        "schedule": schedule_for(project=project),
        "schedule_form": form,
        "can_manage_schedule": True,
    }
    return render(request, "reports/schedule.html", context, status=status)
