"""Writes of the evaluations app: launching, claiming, executing, cancelling and sweeping
runs, and storing their results."""

from apps.evaluations.services.execution import run_claim, run_execute
from apps.evaluations.services.launch import run_cancel, run_create
from apps.evaluations.services.plans import plan_document
from apps.evaluations.services.sweeper import queued_runs_resend, runs_sweep
from apps.evaluations.services.upload_runs import run_create_on_upload

__all__ = [
    "plan_document",
    "queued_runs_resend",
    "run_cancel",
    "run_claim",
    "run_create",
    "run_create_on_upload",
    "run_execute",
    "runs_sweep",
]
