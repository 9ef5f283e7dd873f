"""The history record of a run's status change (who, from, to, why, and the run itself)."""

from apps.audit.services import status_change_record
from apps.evaluations.models import EvaluationRun


def run_status_record(
    *, run: EvaluationRun, from_status: str, actor_id: int | None = None, reason: str = ""
) -> None:
    status_change_record(
        subject=run,
        project_id=run.project_id,
        from_status=from_status,
        to_status=run.status,
        actor_id=actor_id,
        reason=reason,
        run_id=run.pk,
    )
