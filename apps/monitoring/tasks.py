"""Celery tasks of the monitoring app: thin, they take ids and call a service."""

from celery import shared_task

from apps.monitoring.services.schedules import SCHEDULED_RUN_TASK, monitoring_scheduled_run


@shared_task(name=SCHEDULED_RUN_TASK, acks_late=True, ignore_result=False)
def monitoring_scheduled_run_task(schedule_id: int) -> int | None:
    """Beat's call for one monitoring schedule: the run's id, or None when none started."""
    run = monitoring_scheduled_run(schedule_id=schedule_id)
    return run.pk if run is not None else None
