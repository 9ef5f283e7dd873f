"""Who does the work: a developer takes a corrective action ("I'll do it") or proposes a new
one on their team's finding. The quality manager accepts or rejects a proposal as any other
action (corrective_action_update). Each writes the action's history and a line in the
finding's, and tells whoever listens (qualiti.events)."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action
from apps.audit.models import HistoryKind
from apps.audit.services import status_change_record
from apps.findings.models import (
    CLOSED_FINDING_STATUSES,
    ActionStatus,
    CorrectiveAction,
    Finding,
)
from apps.findings.services.assignees import assignee_admit
from apps.findings.services.findings import require_on_finding
from qualiti.errors import InvalidInput, StaleVersion
from qualiti.events import Event, event_publish

# The statuses an action may be taken in: not started yet, or started by nobody in name.
TAKEABLE_STATUSES = (ActionStatus.PROPOSED, ActionStatus.ACCEPTED, ActionStatus.IN_PROGRESS)


def _quoted(description: str) -> str:
    text = " ".join(description.split())
    return f"“{text[:77]}…”" if len(text) > 80 else f"“{text}”"


def _finding_open_check(finding: Finding, *, doing: str) -> None:
    if finding.status in CLOSED_FINDING_STATUSES:
        raise InvalidInput(
            f"The finding is {finding.get_status_display().lower()}: nobody {doing} now."
        )


def _finding_note(*, finding: Finding, actor: User, kind: str, reason: str) -> None:
    """A line of the finding's history that changes no status."""
    status_change_record(
        subject=finding,
        project_id=finding.project_id,
        from_status=finding.status,
        to_status=finding.status,
        actor_id=actor.pk,
        reason=reason,
        kind=kind,
    )


@transaction.atomic
def corrective_action_take(
    *, action: CorrectiveAction, user: User, version: int
) -> CorrectiveAction:
    """ "I'll do it": the user becomes the action's owner and it is in progress. Open to
    whoever may work on the finding (its team's developers, its quality manager, an admin).
    Taking an action one owns already changes nothing; one someone else owns is refused."""
    finding = action.finding
    require_on_finding(user=user, finding=finding, action=Action.COLLABORATE)
    current = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if current.owner_id == user.pk and current.status == ActionStatus.IN_PROGRESS:
        return current  # taken already, by this user: a repeated request is harmless
    if current.version != version:
        raise StaleVersion(
            "This action was changed by someone else; reload it and try again.",
            extra={"current_version": current.version},
        )
    if current.owner_id is not None and current.owner_id != user.pk:
        owner = User.objects.filter(pk=current.owner_id).first()
        name = owner.get_username() if owner else "someone else"
        raise InvalidInput(
            f"This action is already owned by {name}; the quality manager can hand it over.",
            field="owner",
        )
    if current.status not in TAKEABLE_STATUSES:
        raise InvalidInput(
            f"A {current.get_status_display().lower()} action cannot be taken.", field="status"
        )
    _finding_open_check(finding, doing="takes its actions")
    assignee_admit(
        project=finding.project, person_id=user.pk, actor=user, field="owner", who="owner"
    )
    from_status = current.status
    CorrectiveAction.objects.filter(pk=current.pk).update(
        owner=user,
        status=ActionStatus.IN_PROGRESS,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    current.refresh_from_db()
    if from_status != current.status:
        status_change_record(
            subject=current,
            project_id=finding.project_id,
            from_status=from_status,
            to_status=current.status,
            actor_id=user.pk,
            reason=f"taken by {user.get_username()}",
        )
    _finding_note(
        finding=finding,
        actor=user,
        kind=HistoryKind.ACTION_TAKEN,
        reason=f"took the corrective action {_quoted(current.description)}",
    )
    event_publish(
        Event("action.taken", finding.project, current, actor=user, data={"owner_id": user.pk})
    )
    return current


@transaction.atomic
def corrective_action_propose(
    *,
    finding: Finding,
    user: User,
    description: str,
    due_date: datetime.date | None = None,
) -> CorrectiveAction:
    """A new corrective action proposed by whoever may work on the finding (its team's
    developers, its quality manager, an admin); it waits, proposed and without an owner,
    for the quality manager to accept or reject it."""
    require_on_finding(user=user, finding=finding, action=Action.COLLABORATE)
    _finding_open_check(finding, doing="proposes actions")
    if not description.strip():
        raise InvalidInput("Say what the corrective action is.", field="description")
    if due_date is not None and due_date < timezone.localdate():
        raise InvalidInput("The due date cannot be in the past.", field="due_date")
    action = CorrectiveAction(
        finding=finding,
        description=description.strip(),
        status=ActionStatus.PROPOSED,
        due_date=due_date or finding.due_date,
    )
    action.full_clean()
    action.save()
    status_change_record(
        subject=action,
        project_id=finding.project_id,
        from_status="",
        to_status=action.status,
        actor_id=user.pk,
        reason=f"proposed by {user.get_username()}",
    )
    _finding_note(
        finding=finding,
        actor=user,
        kind=HistoryKind.ACTION_PROPOSED,
        reason=f"proposed the corrective action {_quoted(action.description)}",
    )
    event_publish(Event("action.proposed", finding.project, action, actor=user))
    return action
