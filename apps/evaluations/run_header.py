"""The run page's header in words: who launched the run and how, how long it took (or has
been working), and its attempts."""

import datetime

from django.conf import settings

from apps.evaluations.models import EvaluationRun, RunStatus, Trigger


def run_launch_words(run: EvaluationRun) -> str:
    """How the run began, in words: "Launched by qm from the page", "Started by the
    upload of v3 by dev", "Started by the schedule", "Started by the production sample
    “May” uploaded by qm"; a launcher since removed is said so."""
    who = run.created_by.get_username() if run.created_by is not None else None
    if run.triggered_by == Trigger.UPLOAD:
        upload = f"Started by the upload of v{run.model_version.sequence}"
        return f"{upload} by {who}" if who else upload
    if run.triggered_by == Trigger.SCHEDULE:
        return "Started by the schedule"
    if run.triggered_by == Trigger.MONITORING:
        sample = f"Started by the production sample “{run.dataset.name}”"
        return f"{sample} uploaded by {who}" if who else sample
    how = "through the API" if run.triggered_by == Trigger.API else "from the page"
    if who is None:
        return f"Launched {how} by a user since removed"
    return f"Launched by {who} {how}"


def duration_words(seconds: float) -> str:
    """A duration the way people say it: "45 s", "2 min 5 s", "1 h 3 min"."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    return f"{seconds} s"


def run_duration_words(run: EvaluationRun, *, now: datetime.datetime) -> str:
    """How long the run took, or has been working or waiting."""
    if run.status == RunStatus.QUEUED:
        return f"waiting for a worker for {duration_words((now - run.created_at).total_seconds())}"
    if run.started_at is None:
        return "it never started"
    if run.status == RunStatus.RUNNING:
        return f"running for {duration_words((now - run.started_at).total_seconds())}"
    if run.finished_at is None:
        return "unknown"
    return f"took {duration_words((run.finished_at - run.started_at).total_seconds())}"


def run_attempt_words(run: EvaluationRun) -> str:
    """The attempt a worker is on, out of those allowed: a run whose worker died is
    given to another worker, up to QUALITI_RUN_MAX_ATTEMPTS."""
    allowed = settings.QUALITI_RUN_MAX_ATTEMPTS
    if run.attempt == 0:
        return f"none yet (at most {allowed})"
    words = f"{run.attempt} of at most {allowed}"
    if run.attempt > 1:
        words += " (a worker was lost before)"
    return words
