"""Celery front doors of the evaluations app: take ids, call a service.

The run task is on the evaluations queue (CELERY_TASK_ROUTES), acknowledged only once it
ends and handed back to the broker if its worker dies; the sweeper recovers what the
broker cannot (the filesystem broker forgets a message once fetched)."""

from celery import shared_task
from django.conf import settings

from apps.evaluations import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.QUALITI_RUN_SOFT_TIME_LIMIT,
    time_limit=settings.QUALITI_RUN_TIME_LIMIT,
)
def evaluation_run_task(run_id: int) -> str:
    """Claim the run and execute it; a run someone else claimed (or cancelled) is skipped."""
    run = services.run_claim(run_id=run_id)
    if run is None:
        return "not claimed"
    return services.run_execute(run=run).status


@shared_task(name="evaluations.runs_sweep", acks_late=True, time_limit=300)
def runs_sweep_task() -> dict[str, int]:
    """Periodic (Celery beat): requeue or fail runs whose worker stopped beating, and send
    again the runs whose message was lost."""
    counts = services.runs_sweep(stale_after_seconds=settings.QUALITI_RUN_HEARTBEAT_STALE_SECONDS)
    counts["resent"] = services.queued_runs_resend(
        older_than_seconds=settings.QUALITI_RUN_QUEUED_RESEND_SECONDS
    )
    return counts
