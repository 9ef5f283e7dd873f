"""Corrective actions: created with a finding's remediation, updated by its team."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action, user_can
from apps.audit.services import status_change_record
from apps.findings.models import ActionStatus, CorrectiveAction, Finding
from apps.findings.services.assignees import assignee_admit
from apps.findings.services.findings import require_on_finding
from qualiti.errors import InvalidInput, PermissionRefused, StaleVersion


@transaction.atomic
def corrective_action_create(
    *,
    finding: Finding,
    user: User | None,
    description: str,
    owner_id: int | None = None,
    due_date: datetime.date | None = None,
) -> CorrectiveAction:
    if user is not None:
        require_on_finding(user=user, finding=finding, action=Action.FINDING_TRIAGE)
    assignee_admit(
        project=finding.project, person_id=owner_id, actor=user, field="owner", who="owner"
    )
    action = CorrectiveAction(
        finding=finding,
        description=description,
        owner_id=owner_id,
        due_date=due_date or finding.due_date,
    )
    action.full_clean()
    action.save()
    status_change_record(
        subject=action,
        project_id=finding.project_id,
        from_status="",
        to_status=action.status,
        actor_id=user.pk if user else None,
    )
    return action


@transaction.atomic
def corrective_action_update(
    *,
    action: CorrectiveAction,
    user: User,
    version: int,
    status: str | None = None,
    description: str | None = None,
    owner_id: int | None = None,
    due_date: datetime.date | None = None,
    fields_given: frozenset[str] = frozenset(),
    reason: str = "",
) -> CorrectiveAction:
    """Developers of the finding's team update its actions; the QM edits anything."""
    finding = action.finding
    require_on_finding(user=user, finding=finding, action=Action.COLLABORATE)
    triage = user_can(user=user, project_id=finding.project_id, action=Action.FINDING_TRIAGE)
    if not triage and ({"description", "owner", "due_date"} & fields_given):
        raise PermissionRefused("Only the quality manager changes an action's text, owner or date.")
    if not triage and status == ActionStatus.REJECTED:
        raise PermissionRefused("Only the quality manager rejects an action.")
    changes: dict[str, object] = {}
    if status is not None:
        if status not in ActionStatus.values:
            raise InvalidInput(f"Unknown action status {status!r}.", field="status")
        changes["status"] = status
    if "description" in fields_given and description is not None:
        changes["description"] = description
    if "owner" in fields_given:
        assignee_admit(
            project=finding.project, person_id=owner_id, actor=user, field="owner", who="owner"
        )
        changes["owner_id"] = owner_id
    if "due_date" in fields_given:
        changes["due_date"] = due_date
    from_status = action.status
    updated = CorrectiveAction.objects.filter(pk=action.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise StaleVersion("This action was changed by someone else; reload it and try again.")
    action.refresh_from_db()
    if action.status != from_status:
        status_change_record(
            subject=action,
            project_id=finding.project_id,
            from_status=from_status,
            to_status=action.status,
            actor_id=user.pk,
            reason=reason,
        )
    return action
