"""The history record of a run's status change (who, from, to, why, and the run itself);
a run that ends also tells whoever listens (qualiti.events: `run.finished`)."""

from apps.audit.services import status_change_record
from apps.evaluations.models import EvaluationRun, RunStatus
from qualiti.events import Event, event_publish

ENDED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


def run_status_record(
    *, run: EvaluationRun, from_status: str, actor_id: int | None = None, reason: str = ""
) -> None:
    """Call inside the transaction that changes the run's status."""
    status_change_record(
        subject=run,
        project_id=run.project_id,
        from_status=from_status,
        to_status=run.status,
        actor_id=actor_id,
        reason=reason,
        run_id=run.pk,
    )
    if run.status in ENDED and from_status not in ENDED:
        event_publish(
            Event(
                "run.finished",
                run.project,
                run,
                data={"status": run.status, "verdict": run.verdict, "error": run.error},
            )
        )
