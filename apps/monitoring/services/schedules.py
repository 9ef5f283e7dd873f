"""Monitoring schedules: a plan re-run on the latest production sample at a time of the
week. Each schedule owns beat's row (django-celery-beat's PeriodicTask and its
CrontabSchedule), created, changed and deleted with it in one transaction, so what the page
shows is what beat runs. Beat calls `monitoring.scheduled_run` with the schedule's id."""

import datetime
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check
from apps.evaluations.models import EvaluationRun, Trigger
from apps.monitoring.models import MonitoringSchedule, ProjectMonitoring, Weekday
from apps.monitoring.services.runs import monitoring_run_create
from apps.monitoring.services.settings import plan_names
from apps.projects.models import Dataset, DatasetRole, Project, ValidationStatus
from qualiti.errors import InvalidInput, QualitiError
from qualiti.events import Event, event_publish

logger = logging.getLogger(__name__)

SCHEDULED_RUN_TASK = "monitoring.scheduled_run"
SAME_ROUND = datetime.timedelta(minutes=5)


def _checked(*, project: Project, plan_name: str, day_of_week: str) -> str:
    plan_name = plan_name.strip()
    if plan_name not in plan_names(project=project):
        raise InvalidInput(f"The project has no test plan “{plan_name}”.", field="plan_name")
    if day_of_week not in Weekday.values:
        raise InvalidInput(
            "The day is one of: " + ", ".join(label for _, label in Weekday.choices) + ".",
            field="day_of_week",
        )
    return plan_name


def _task_name(schedule_id: int) -> str:
    return f"monitoring-schedule-{schedule_id}"


def _beat_sync(schedule: MonitoringSchedule) -> None:
    """Make beat's row say what the schedule says (call inside the schedule's
    transaction). PeriodicTask.save() tells a running beat that its schedule changed."""
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(schedule.time.minute),
        hour=str(schedule.time.hour),
        day_of_week=schedule.day_of_week,
        day_of_month="*",
        month_of_year="*",
        timezone=settings.CELERY_TIMEZONE,
    )
    task = schedule.periodic_task or PeriodicTask(
        name=_task_name(schedule.pk), task=SCHEDULED_RUN_TASK
    )
    task.crontab = crontab
    task.kwargs = json.dumps({"schedule_id": schedule.pk})
    task.enabled = schedule.enabled
    task.description = f"{schedule.project.slug}: {schedule.plan_name}, {schedule.when_words}"
    task.full_clean()
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])


@transaction.atomic
def monitoring_schedule_create(
    *,
    user: User | None,
    project: Project,
    plan_name: str,
    day_of_week: str,
    time: datetime.time,
    enabled: bool = True,
) -> MonitoringSchedule:
    """A new schedule, and beat's row for it."""
    project_action_check(user=user, project_id=project.pk, action=Action.SCHEDULES_MANAGE)
    schedule = MonitoringSchedule(
        project=project,
        plan_name=_checked(project=project, plan_name=plan_name, day_of_week=day_of_week),
        day_of_week=day_of_week,
        time=time.replace(second=0, microsecond=0),
        enabled=enabled,
        created_by=user,
    )
    schedule.full_clean(exclude=["periodic_task"])
    schedule.save()
    _beat_sync(schedule)
    return schedule


@transaction.atomic
def monitoring_schedule_update(
    *,
    user: User | None,
    schedule: MonitoringSchedule,
    plan_name: str,
    day_of_week: str,
    time: datetime.time,
    enabled: bool,
) -> MonitoringSchedule:
    """Change a schedule; beat's row follows."""
    project_action_check(user=user, project_id=schedule.project_id, action=Action.SCHEDULES_MANAGE)
    schedule = MonitoringSchedule.objects.select_for_update().get(pk=schedule.pk)
    schedule.plan_name = _checked(
        project=schedule.project, plan_name=plan_name, day_of_week=day_of_week
    )
    schedule.day_of_week = day_of_week
    schedule.time = time.replace(second=0, microsecond=0)
    schedule.enabled = enabled
    schedule.full_clean()
    schedule.save()
    _beat_sync(schedule)
    return schedule


@transaction.atomic
def monitoring_schedule_delete(*, user: User | None, schedule: MonitoringSchedule) -> None:
    """Delete a schedule and beat's row (its runs stay)."""
    project_action_check(user=user, project_id=schedule.project_id, action=Action.SCHEDULES_MANAGE)
    task_id = schedule.periodic_task_id
    schedule.delete()
    if task_id is not None:
        # One by one, not a bulk delete: the row's delete signal tells beat.
        for task in PeriodicTask.objects.filter(pk=task_id):
            task.delete()


def _orphan_delete(schedule_id: int) -> None:
    """Beat's row of a schedule deleted without the services (the admin, a cascade)."""
    for task in PeriodicTask.objects.filter(name=_task_name(schedule_id)):
        task.delete()  # one by one: the delete signal tells beat
        logger.info("Deleted beat's row of the deleted monitoring schedule %s", schedule_id)


def latest_production_sample(*, project: Project, monitoring: ProjectMonitoring) -> Dataset | None:
    """The newest valid production sample the production model version can be judged on:
    one without predictions, or with the predictions of that version."""
    samples = project.datasets.filter(
        role=DatasetRole.PRODUCTION_SAMPLE, validation_status=ValidationStatus.VALID
    )
    version = monitoring.production_model_version
    if version is not None and version.artifact_format == "none":
        samples = samples.filter(model_version=version)
    return samples.order_by("-created_at", "-id").first()


def monitoring_scheduled_run(*, schedule_id: int) -> EvaluationRun | None:
    """Beat's call: a run of the schedule's plan on the latest production sample
    (Trigger.SCHEDULE). When it cannot start, the schedule's creator is told why, and the
    schedule's page says so."""
    now = timezone.now()
    # The claim: a schedule fires at most daily, so a second call within minutes is the
    # same round sent twice (two beats, a redelivered message) and runs nothing.
    claimed = (
        MonitoringSchedule.objects.filter(pk=schedule_id, enabled=True)
        .filter(Q(last_run_at__isnull=True) | Q(last_run_at__lt=now - SAME_ROUND))
        .update(last_run_at=now)
    )
    if not claimed:
        if not MonitoringSchedule.objects.filter(pk=schedule_id).exists():
            _orphan_delete(schedule_id)  # deleted by the admin or a cascade
        return None  # deleted, stopped since beat read it, or already run this round
    schedule = MonitoringSchedule.objects.select_related("project", "created_by").get(
        pk=schedule_id
    )
    project = schedule.project
    monitoring = ProjectMonitoring.objects.filter(project=project).first()
    run, why = None, None
    if monitoring is None:
        why = "the project names no production model version"
    else:
        sample = latest_production_sample(project=project, monitoring=monitoring)
        if sample is None:
            why = "the project has no valid production sample"
        else:
            try:
                run = monitoring_run_create(
                    monitoring=monitoring,
                    plan_name=schedule.plan_name,
                    sample=sample,
                    user=None,  # the system: the schedule was allowed when it was set
                    triggered_by=Trigger.SCHEDULE,
                )
            except QualitiError as error:
                why = error.message
    with transaction.atomic():
        schedule.last_outcome = (
            f"Queued run {run.pk} on “{run.dataset.name}”." if run else f"Not run: {why}."
        )
        schedule.save(update_fields=["last_outcome"])
        if why is not None and schedule.created_by is not None:
            event_publish(
                Event(
                    "run.not_started",
                    project,
                    schedule,
                    data={
                        "uploader": schedule.created_by,
                        "why": why,
                        "what": f"The scheduled monitoring of {project.name} "
                        f"({schedule.plan_name}, {schedule.when_words}) did not run",
                        "link": f"/projects/{project.slug}/monitoring/schedules/",
                    },
                )
            )
    logger.info("Monitoring schedule %s: %s", schedule_id, schedule.last_outcome)
    return run
