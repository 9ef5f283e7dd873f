"""Celery front door of the reports app: take the id, call the service. On the default
queue (CELERY_TASK_ROUTES sends only the evaluations app's tasks elsewhere)."""

from celery import Task, shared_task
from django.conf import settings

from apps.notifications.tasks import MAIL_ERRORS
from apps.reports import schedule_email, schedules, services


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


@shared_task(name="reports.sweep", acks_late=True, time_limit=120)
def reports_sweep_task() -> dict[str, int]:
    """Periodic (beat): fail reports whose worker stopped, resend those queued too long."""
    return services.reports_sweep()


# --- Scheduled project reports (apps.reports.schedules) -----------------------------------

READY_POLL_SECONDS = 30


@shared_task(name="reports.schedules_send", acks_late=True, time_limit=600)
def scheduled_reports_task() -> list[int]:
    """Beat, every morning: request the report of every due schedule."""
    return schedules.scheduled_reports_send()


@shared_task(
    bind=True, name="reports.scheduled_report_emails", acks_late=True, time_limit=120,
    max_retries=120,
)  # fmt: skip
def scheduled_report_emails_task(self: Task, report_id: int) -> int:
    """Chained after the report's generation: one e-mail task per subscriber. A report
    still being generated (claimed by another worker) is waited for."""
    try:
        user_ids = schedule_email.scheduled_report_recipient_ids(report_id=report_id)
    except schedule_email.ReportNotReady as not_ready:
        raise self.retry(exc=not_ready, countdown=READY_POLL_SECONDS) from not_ready
    for user_id in user_ids:
        scheduled_report_email_task.delay(report_id, user_id)
    return len(user_ids)


@shared_task(
    name="reports.scheduled_report_email",
    acks_late=True,
    time_limit=120,
    autoretry_for=MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=50,
)
def scheduled_report_email_task(report_id: int, user_id: int) -> bool:
    return schedule_email.scheduled_report_email_send(report_id=report_id, user_id=user_id)
