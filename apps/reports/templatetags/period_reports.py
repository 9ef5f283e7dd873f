"""The project report's parts of the Reports tab, so the tab includes them with one line
each and its view knows nothing of schedules:

`{% report_schedule_panel project %}`: the project's report schedule
(templates/reports/_schedule.html), with the form for who may change it.
`{% may_write_commentary project as name %}`: whether the user writes a project report's
commentary (the project's quality manager or an admin)."""

from typing import Any

from django import template

from apps.accounts.permissions import Action, user_can
from apps.projects.models import Project
from apps.reports.forms_schedule import ReportScheduleForm
from apps.reports.schedules import schedule_for, schedule_next_morning
from apps.reports.services import COMMENTARY_ACTION

register = template.Library()


@register.inclusion_tag("reports/_schedule.html", takes_context=True)
def report_schedule_panel(context: template.Context, project: Project) -> dict[str, Any]:
    user = context["request"].user
    schedule = schedule_for(project=project)
    can_manage = user_can(user=user, project_id=project.pk, action=Action.SCHEDULES_MANAGE)
    form = ReportScheduleForm(project=project, schedule=schedule) if can_manage else None
    next_on = None
    if schedule is not None and schedule.active:
        next_on = schedule_next_morning(schedule=schedule)
    return {
        "project": project,
        "schedule": schedule,
        "next_on": next_on,
        "schedule_form": form,
        "can_manage_schedule": can_manage,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def may_write_commentary(context: template.Context, project: Project) -> bool:
    user = context["request"].user
    return user_can(user=user, project_id=project.pk, action=COMMENTARY_ACTION)
