"""The sweeper: a worker that dies mid-run never runs its `finally`, so a periodic task
finds running runs whose heartbeat went stale and requeues or fails them."""

import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.evaluations.models import EvaluationRun, RunStatus
from apps.evaluations.services.history import run_status_record
from apps.evaluations.services.launch import run_queue

WORKER_LOST = "worker lost"


def runs_sweep(*, stale_after_seconds: float, max_attempts: int | None = None) -> dict[str, int]:
    """Requeue each stale running run that has attempts left, fail the others with
    "worker lost" (cancel those whose cancel was asked). Returns how many of each."""
    max_attempts = max_attempts or settings.QUALITI_RUN_MAX_ATTEMPTS
    cutoff = timezone.now() - datetime.timedelta(seconds=stale_after_seconds)
    stale = EvaluationRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)
    counts = {"requeued": 0, "failed": 0, "cancelled": 0}
    for run_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            run = stale.select_for_update().filter(pk=run_id).first()
            # None: its worker wrote meanwhile, alive after all. (The query finds only runs
            # with a heartbeat; the second test is for the type checker.)
            if run is None or run.heartbeat_at is None:
                continue
            silent = int((timezone.now() - run.heartbeat_at).total_seconds())
            reason = f"{WORKER_LOST}: no heartbeat for {silent} s (attempt {run.attempt})"
            run.finished_at = timezone.now()
            if run.cancel_requested:
                run.status, outcome = RunStatus.CANCELLED, "cancelled"
            elif run.attempt < max_attempts:
                run.status, outcome = RunStatus.QUEUED, "requeued"
                run.finished_at = None
                run.heartbeat_at = None
                run.queued_at = timezone.now()
                run.current_step = "requeued"
            else:
                run.status, outcome = RunStatus.FAILED, "failed"
                run.error = WORKER_LOST
            run.save(
                update_fields=[
                    "status",
                    "finished_at",
                    "heartbeat_at",
                    "queued_at",
                    "current_step",
                    "error",
                ]
            )
            run_status_record(run=run, from_status=RunStatus.RUNNING, reason=reason)
            if outcome == "requeued":
                transaction.on_commit(partial(run_queue, run.pk))
            counts[outcome] += 1
    return counts


def queued_runs_resend(*, older_than_seconds: float) -> int:
    """Send again the runs still queued long after their message went out: a message can be
    lost (a worker that died between fetching it and claiming the run, a broker restarted
    without persistence). A duplicate is harmless: only one worker can claim the run."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    overdue = Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True, created_at__lt=cutoff)
    waiting = EvaluationRun.objects.filter(overdue, status=RunStatus.QUEUED)
    resent = 0
    for run_id in list(waiting.values_list("pk", flat=True)):
        with transaction.atomic():
            # the condition again, in the UPDATE: a worker may have claimed it meanwhile
            if waiting.filter(pk=run_id).update(queued_at=timezone.now()):
                transaction.on_commit(partial(run_queue, run_id))
                resent += 1
    return resent
