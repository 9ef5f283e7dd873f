"""Issue 16's "done when": a schedule set to run in the next minute runs once. A real
`celery beat` on django-celery-beat's DatabaseScheduler reads the schedule from the test
database (written there while it runs, as the page would) and sends the task through the
session's broker to the session's real worker, which queues the run."""

import datetime
import time
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from apps.evaluations.models import EvaluationRun, Trigger
from apps.monitoring.models import MonitoringSchedule
from apps.monitoring.services.schedules import monitoring_schedule_create
from tests.monitoring.beat import CeleryBeatProcess
from tests.monitoring.factories import MonitoringSetup

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_beat(celery_worker):
    """Beat for this test, stopped before the worker settles and the database is flushed."""
    beat = CeleryBeatProcess().start()
    yield beat
    beat.stop()


def next_minute(*, at_least: datetime.timedelta) -> datetime.datetime:
    """The first whole minute (beat's time zone) at least `at_least` from now."""
    zone = zoneinfo.ZoneInfo(settings.CELERY_TIMEZONE)
    soon = timezone.localtime(timezone.now() + at_least, zone)
    return soon.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)


def scheduled_runs() -> list[EvaluationRun]:
    return list(EvaluationRun.objects.filter(triggered_by=Trigger.SCHEDULE))


def test_a_schedule_set_for_the_next_minute_runs_once(celery_beat):
    setup = MonitoringSetup()
    sample = setup.sample(name="Latest batch")
    # Room for beat to notice the new row (it looks every 5 s) on a busy machine.
    when = next_minute(at_least=datetime.timedelta(seconds=20))
    day = str(when.isoweekday() % 7)  # cron's day of week: 0 is Sunday

    schedule = monitoring_schedule_create(
        user=setup.qm, project=setup.project, plan_name=setup.plan.name,
        day_of_week=day, time=when.time(),
    )  # fmt: skip

    deadline = time.monotonic() + (when - timezone.now()).total_seconds() + 120
    while not scheduled_runs():
        assert time.monotonic() < deadline, f"no scheduled run by then:\n{celery_beat.log_tail()}"
        time.sleep(0.5)
    # Beat keeps ticking (every 5 s at most): the minute is past, and nothing runs again.
    watch_until = time.monotonic() + 12
    while time.monotonic() < watch_until:
        assert len(scheduled_runs()) == 1, celery_beat.log_tail()
        time.sleep(0.5)
    celery_beat.stop()

    (run,) = scheduled_runs()
    assert (run.dataset, run.test_plan, run.model_version) == (
        sample,
        setup.plan,
        setup.model_version,
    )
    assert run.created_at >= when - datetime.timedelta(seconds=1)
    schedule = MonitoringSchedule.objects.get(pk=schedule.pk)
    assert schedule.last_outcome == f"Queued run {run.pk} on “Latest batch”."
