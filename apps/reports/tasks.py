"""Celery front door of the reports app: take the id, call the service. On the default
queue (CELERY_TASK_ROUTES sends only the evaluations app's tasks elsewhere)."""

from celery import shared_task
from django.conf import settings

from apps.reports import services


@shared_task(
    name="reports.generate",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.QUALITI_REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.QUALITI_REPORT_TIME_LIMIT,
)
def report_generate_task(report_id: int) -> str:
    """Generate the report; one claimed elsewhere (or already done) is left as it is."""
    return services.report_generate(report_id=report_id).status
