from django.contrib.contenttypes.models import ContentType
from django.db import models

from apps.audit.models import HistoryKind, StatusChange


def status_change_record(
    *,
    subject: models.Model,
    project_id: int,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    reason: str = "",
    run_id: int | None = None,
    kind: str = HistoryKind.STATUS,
) -> StatusChange:
    """Write the history record of one status change (or, with `kind`, of another event in
    the subject's life); call inside the changing transaction."""
    return StatusChange.objects.create(
        project_id=project_id,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor_id,
        reason=reason,
        run_id=run_id,
        kind=kind,
    )
