"""Monitoring schedules and beat's rows (services/schedules.py)."""

import datetime
import json

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from apps.accounts.models import Notification
from apps.evaluations.models import EvaluationRun, Trigger
from apps.monitoring.models import MonitoringSchedule, Weekday
from apps.monitoring.services.schedules import (
    SCHEDULED_RUN_TASK,
    monitoring_schedule_create,
    monitoring_schedule_delete,
    monitoring_schedule_update,
    monitoring_scheduled_run,
)
from apps.monitoring.tasks import monitoring_scheduled_run_task
from qualiti.celery import app as celery_app
from qualiti.errors import InvalidInput, NotFound, PermissionRefused
from tests.monitoring.factories import MonitoringSetup

pytestmark = pytest.mark.django_db

SIX = datetime.time(6, 0)


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    monkeypatch.setattr("apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: None)


def mondays(setup, **changes) -> MonitoringSchedule:
    values = {"plan_name": setup.plan.name, "day_of_week": Weekday.MONDAY, "time": SIX}
    values.update(changes)
    return monitoring_schedule_create(user=setup.qm, project=setup.project, **values)


def test_a_schedule_owns_beats_row_with_its_crontab():
    setup = MonitoringSetup()

    schedule = mondays(setup, time=datetime.time(6, 30))

    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    crontab = task.crontab
    assert (task.task, json.loads(task.kwargs), task.enabled) == (
        SCHEDULED_RUN_TASK,
        {"schedule_id": schedule.pk},
        True,
    )
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("30", "6", "1")
    assert str(crontab.timezone) == settings.CELERY_TIMEZONE
    assert schedule.when_words == "Mondays 06:30"


def test_changing_or_stopping_a_schedule_changes_beats_row():
    setup = MonitoringSetup()
    schedule = mondays(setup)

    monitoring_schedule_update(
        user=setup.qm,
        schedule=schedule,
        plan_name=setup.plan.name,
        day_of_week=Weekday.WORKDAYS,
        time=datetime.time(22, 5),
        enabled=False,
    )

    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("5", "22", "1-5")
    assert task.enabled is False
    assert PeriodicTask.objects.filter(task=SCHEDULED_RUN_TASK).count() == 1


def test_deleting_a_schedule_deletes_beats_row():
    setup = MonitoringSetup()
    schedule = mondays(setup)

    monitoring_schedule_delete(user=setup.qm, schedule=schedule)

    assert not MonitoringSchedule.objects.exists()
    assert not PeriodicTask.objects.filter(task=SCHEDULED_RUN_TASK).exists()


def test_only_quality_managers_and_admins_manage_schedules():
    setup = MonitoringSetup()

    with pytest.raises(PermissionRefused):
        monitoring_schedule_create(
            user=setup.dev, project=setup.project, plan_name=setup.plan.name,
            day_of_week=Weekday.MONDAY, time=SIX,
        )  # fmt: skip
    with pytest.raises(NotFound):
        monitoring_schedule_delete(user=setup.outsider, schedule=mondays(setup))
    monitoring_schedule_create(
        user=setup.admin, project=setup.project, plan_name=setup.plan.name,
        day_of_week=Weekday.MONDAY, time=SIX,
    )  # fmt: skip
    assert MonitoringSchedule.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"plan_name": "No such plan"}, "plan_name"), ({"day_of_week": "8"}, "day_of_week")],
)
def test_a_bad_schedule_is_refused_with_the_field_named(changes, field):
    setup = MonitoringSetup()

    with pytest.raises(InvalidInput) as refused:
        mondays(setup, **changes)

    assert refused.value.field == field
    assert not PeriodicTask.objects.filter(task=SCHEDULED_RUN_TASK).exists()


def test_a_scheduled_round_runs_the_plan_on_the_latest_production_sample():
    setup = MonitoringSetup()
    setup.sample(name="April")
    latest = setup.sample(name="May")
    schedule = mondays(setup)

    run_id = monitoring_scheduled_run_task.apply(kwargs={"schedule_id": schedule.pk}).get()

    run = EvaluationRun.objects.get(pk=run_id)
    assert (run.dataset, run.triggered_by, run.test_plan, run.created_by) == (
        latest,
        Trigger.SCHEDULE,
        setup.plan,
        None,
    )
    schedule.refresh_from_db()
    assert schedule.last_outcome == f"Queued run {run.pk} on “May”."


def test_the_same_round_sent_twice_runs_once():
    setup = MonitoringSetup()
    setup.sample()
    schedule = mondays(setup)

    monitoring_scheduled_run(schedule_id=schedule.pk)
    assert monitoring_scheduled_run(schedule_id=schedule.pk) is None

    assert EvaluationRun.objects.count() == 1


def test_a_stopped_schedule_runs_nothing():
    setup = MonitoringSetup()
    setup.sample()
    schedule = mondays(setup, enabled=False)

    assert monitoring_scheduled_run(schedule_id=schedule.pk) is None
    assert not EvaluationRun.objects.exists()


def test_a_round_without_a_sample_tells_the_schedules_creator_why():
    setup = MonitoringSetup()
    schedule = mondays(setup)

    assert monitoring_scheduled_run(schedule_id=schedule.pk) is None

    schedule.refresh_from_db()
    assert schedule.last_outcome == "Not run: the project has no valid production sample."
    notice = Notification.objects.get(user=setup.qm, kind="run_not_started")
    assert "Mondays 06:00" in notice.message and "no valid production sample" in notice.message


def test_beat_on_the_database_scheduler_keeps_the_settings_schedule(monkeypatch):
    """django-celery-beat copies CELERY_BEAT_SCHEDULE into its table when beat starts."""
    # Beat closes stale connections between rounds; here that would be the test's own.
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)
    assert celery_app.conf.beat_scheduler == settings.CELERY_BEAT_SCHEDULER
    assert settings.CELERY_BEAT_SCHEDULER.endswith("DatabaseScheduler")

    DatabaseScheduler(app=celery_app)

    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(settings.CELERY_BEAT_SCHEDULE) <= names
    sweep = PeriodicTask.objects.get(name="sweep-stale-evaluation-runs")
    assert sweep.task == "evaluations.runs_sweep" and sweep.interval is not None


def test_a_schedule_deleted_behind_the_services_back_loses_beats_row_at_its_next_round():
    setup = MonitoringSetup()
    schedule = mondays(setup)
    MonitoringSchedule.objects.filter(pk=schedule.pk).delete()  # the admin, a cascade

    assert monitoring_scheduled_run(schedule_id=schedule.pk) is None

    assert not PeriodicTask.objects.filter(task=SCHEDULED_RUN_TASK).exists()


def test_the_admin_deletes_a_schedule_with_beats_row_and_changes_none(client):
    setup = MonitoringSetup()
    schedule = mondays(setup)
    setup.admin.is_staff = setup.admin.is_superuser = True
    setup.admin.save()
    client.force_login(setup.admin)
    page = f"/admin/monitoring/monitoringschedule/{schedule.pk}/"

    assert client.get(f"{page}change/").status_code == 200  # read only
    assert client.post(f"{page}delete/", {"post": "yes"}).status_code == 302

    assert not MonitoringSchedule.objects.exists()
    assert not PeriodicTask.objects.filter(task=SCHEDULED_RUN_TASK).exists()


def test_a_schedule_says_when_beat_next_sends_its_round():
    setup = MonitoringSetup()
    sunday_eight = datetime.datetime(2026, 12, 6, 8, 0, tzinfo=datetime.UTC)

    mondays_six = mondays(setup)
    daily_half_past = mondays(setup, day_of_week=Weekday.EVERY_DAY, time=datetime.time(8, 30))
    stopped = mondays(setup, enabled=False)

    assert mondays_six.next_run_at(sunday_eight) == datetime.datetime(
        2026, 12, 7, 6, 0, tzinfo=datetime.UTC
    )
    assert daily_half_past.next_run_at(sunday_eight) == datetime.datetime(
        2026, 12, 6, 8, 30, tzinfo=datetime.UTC
    )
    assert stopped.next_run_at(sunday_eight) is None
