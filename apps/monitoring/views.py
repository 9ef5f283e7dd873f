"""The Monitoring tab (everyone who sees the project), its settings (the project's quality
manager or an admin) and its schedules (whoever manages schedules; the others read them).
Every change goes through the services, which check the role again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.permissions import Action, require_action, user_can
from apps.monitoring import charts
from apps.monitoring.forms import MonitoringScheduleForm, MonitoringSettingsForm
from apps.monitoring.models import MonitoringSchedule
from apps.monitoring.selectors import (
    batch_findings,
    monitored_metrics,
    production_batches,
    schedules_of,
)
from apps.monitoring.services import schedules as schedule_services
from apps.monitoring.services.settings import monitoring_for, monitoring_settings_set
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from qualiti.errors import QualitiError
from qualiti.forms import service_error_add
from qualiti.http import AuthenticatedHttpRequest


@login_required
def monitoring(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    batches = production_batches(project=project)
    metrics = monitored_metrics(batches=batches)
    labels = [batch.label for batch in batches]
    figures = {
        f"metric-{index}": charts.metric_over_batches(metric, batches=labels)
        for index, metric in enumerate(metrics)
    }
    context = {
        "project": project,
        "tab": "monitoring",
        "monitoring": monitoring_for(project=project),
        "batches": list(reversed(batches)),  # newest first in the table
        "metrics": metrics,
        "figures": figures,
        "findings": batch_findings(batches=batches),
        "schedules": schedules_of(project=project),
        "may_configure": user_can(
            user=request.user, project_id=project.pk, action=Action.PROJECT_MANAGE
        ),
        "may_schedule": user_can(
            user=request.user, project_id=project.pk, action=Action.SCHEDULES_MANAGE
        ),
    }
    return render(request, "monitoring/monitoring.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    require_action(user=request.user, project_id=project.pk, action=Action.PROJECT_MANAGE)
    current = monitoring_for(project=project)
    if request.method == "GET":
        form = MonitoringSettingsForm(project=project, monitoring=current)
        return _settings_render(request, project, form)
    form = MonitoringSettingsForm(request.POST, project=project, monitoring=current)
    if not form.is_valid():
        return _settings_render(request, project, form, status=400)
    try:
        monitoring_settings_set(user=request.user, project=project, **form.cleaned_data)
    except QualitiError as error:
        service_error_add(form, error)
        return _settings_render(request, project, form, status=error.status_code)
    messages.success(request, "The monitoring settings are saved.")
    return redirect(reverse("monitoring", args=[project.slug]))


def _settings_render(
    request: AuthenticatedHttpRequest,
    project: Project,
    form: MonitoringSettingsForm,
    status: int = 200,
) -> HttpResponse:
    context = {"project": project, "tab": "monitoring", "form": form}
    return render(request, "monitoring/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_schedules(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The list for everyone who sees the project; the form to add one for the managers."""
    project = project_visible_or_404(user=request.user, slug=slug)
    may_schedule = user_can(
        user=request.user, project_id=project.pk, action=Action.SCHEDULES_MANAGE
    )
    if request.method == "GET":
        form = MonitoringScheduleForm(project=project, schedule=None) if may_schedule else None
        return _schedules_render(request, project, form)
    require_action(user=request.user, project_id=project.pk, action=Action.SCHEDULES_MANAGE)
    form = MonitoringScheduleForm(request.POST, project=project, schedule=None)
    if not form.is_valid():
        return _schedules_render(request, project, form, status=400)
    try:
        schedule = schedule_services.monitoring_schedule_create(
            user=request.user, project=project, **form.cleaned_data
        )
    except QualitiError as error:
        service_error_add(form, error)
        return _schedules_render(request, project, form, status=error.status_code)
    messages.success(request, f"Scheduled: {schedule.plan_name}, {schedule.when_words}.")
    return redirect(reverse("monitoring-schedules", args=[project.slug]))


def _schedules_render(
    request: AuthenticatedHttpRequest,
    project: Project,
    form: MonitoringScheduleForm | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "project": project,
        "tab": "monitoring",
        "schedules": schedules_of(project=project),
        "monitoring": monitoring_for(project=project),
        "form": form,
        "may_schedule": form is not None,
    }
    return render(request, "monitoring/schedules.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_schedule_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    schedule = get_object_or_404(MonitoringSchedule, project=project, pk=pk)
    require_action(user=request.user, project_id=project.pk, action=Action.SCHEDULES_MANAGE)
    form = MonitoringScheduleForm(request.POST or None, project=project, schedule=schedule)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                schedule = schedule_services.monitoring_schedule_update(
                    user=request.user, schedule=schedule, **form.cleaned_data
                )
            except QualitiError as error:
                service_error_add(form, error)
                status = error.status_code
            else:
                messages.success(request, f"Saved: {schedule.plan_name}, {schedule.when_words}.")
                return redirect(reverse("monitoring-schedules", args=[project.slug]))
        else:
            status = 400
    context = {"project": project, "tab": "monitoring", "schedule": schedule, "form": form}
    return render(request, "monitoring/schedule_edit.html", context, status=status)


@login_required
@require_POST
def monitoring_schedule_delete(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    schedule = get_object_or_404(MonitoringSchedule, project=project, pk=pk)
    require_action(user=request.user, project_id=project.pk, action=Action.SCHEDULES_MANAGE)
    schedule_services.monitoring_schedule_delete(user=request.user, schedule=schedule)
    messages.success(request, f"Deleted the schedule {schedule.plan_name}, {schedule.when_words}.")
    return redirect(reverse("monitoring-schedules", args=[project.slug]))
