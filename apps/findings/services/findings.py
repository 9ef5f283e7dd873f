"""Every change to a finding, its actions and comments. Each runs in one transaction,
writes its history, and guards against lost updates with the finding's `version`."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check, user_can
from apps.audit.services import status_change_record
from apps.criteria.models import Severity
from apps.findings.models import (
    CLOSED_FINDING_STATUSES,
    Comment,
    Finding,
    FindingSource,
    FindingStatus,
    RiskAcceptanceState,
)
from apps.findings.services.assignees import assignee_admit, assignment_record
from apps.findings.workflow import (
    MANUAL_TRANSITIONS,
    REASON_REQUIRED,
    reason_missing,
    transition_refusal,
)
from apps.projects.models import Project
from qualiti.errors import InvalidInput, PermissionRefused, StaleVersion
from qualiti.events import Event, event_publish


def finding_due_date(*, project: Project, severity: str, start: datetime.date) -> datetime.date:
    """The SLA: a finding is due its severity's number of days after it (re)opened."""
    return start + datetime.timedelta(days=project.sla_days(severity))


def user_is_on_finding_team(*, user: User, finding: Finding) -> bool:
    team_id = finding.assigned_team_id or finding.project.development_team_id
    return team_id is not None and user.teams.filter(pk=team_id).exists()


def finding_may_collaborate(*, user: User, finding: Finding) -> bool:
    """Developers act on their own team's findings; quality managers and admins on all."""
    if user_can(user=user, project_id=finding.project_id, action=Action.FINDING_TRIAGE):
        return True
    return user_can(
        user=user, project_id=finding.project_id, action=Action.COLLABORATE
    ) and user_is_on_finding_team(user=user, finding=finding)


def require_on_finding(*, user: User, finding: Finding, action: Action) -> None:
    if action == Action.COLLABORATE:
        allowed = finding_may_collaborate(user=user, finding=finding)
    else:
        allowed = user_can(user=user, project_id=finding.project_id, action=action)
    if not allowed:
        raise PermissionRefused("Your role does not allow this change to this finding.")


def _stale(*, current: int | None, sent: int) -> StaleVersion:
    return StaleVersion(
        f"This finding was changed by someone else (version {current}, you sent {sent}); "
        "reload it and try again.",
        extra={"current_version": current},
    )


def ensure_finding_version(*, finding: Finding, version: int) -> None:
    """A client that read an older version is told so first, before any other judgement."""
    if finding.version != version:
        raise _stale(current=finding.version, sent=version)


def claim_finding_version(*, finding: Finding, version: int, **changes: object) -> None:
    """Apply changes only if nobody wrote since `version`: one conditional UPDATE, so of
    many concurrent writers exactly one wins and the rest get 409."""
    updated = Finding.objects.filter(pk=finding.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        current = Finding.objects.filter(pk=finding.pk).values_list("version", flat=True).first()
        raise _stale(current=current, sent=version)
    finding.refresh_from_db()


@transaction.atomic
def finding_create(
    *,
    project: Project,
    user: User | None,
    title: str,
    severity: str,
    category: str,
    description: str = "",
    remediation: str = "",
    source: str = FindingSource.MANUAL,
) -> Finding:
    """Open a finding by hand (runs open theirs through the run services)."""
    project_action_check(
        user=user,
        project_id=project.pk,
        action=Action.FINDING_TRIAGE,
        refusal="Only the project's quality manager opens findings by hand.",
    )
    finding = Finding(
        project=project,
        title=title,
        severity=severity,
        category=category,
        description=description,
        remediation=remediation,
        source=source,
        status=FindingStatus.OPEN,
        assigned_team=project.development_team,
        due_date=finding_due_date(project=project, severity=severity, start=timezone.localdate()),
        created_by=user,
    )
    finding.full_clean()
    finding.save()
    status_change_record(
        subject=finding,
        project_id=project.pk,
        from_status="",
        to_status=FindingStatus.OPEN,
        actor_id=user.pk if user else None,
        reason="created by hand",
    )
    event_publish(Event("finding.opened", project, finding, actor=user, data={"reopened": False}))
    return finding


# A move to open from these is a reopening; from in_progress it is only a step back.
REOPENED_FROM = frozenset(
    {
        FindingStatus.FIX_SUBMITTED,
        FindingStatus.VERIFIED,
        FindingStatus.RISK_ACCEPTED,
        FindingStatus.FALSE_POSITIVE,
    }
)


def finding_reopen(
    *,
    finding: Finding,
    version: int,
    actor_id: int | None,
    reason: str,
    run_id: int | None = None,
    today: datetime.date | None = None,
    **changes: object,
) -> Finding:
    """Back to open, the one way every path reopens a finding (a failing run, an expired
    risk acceptance, a person): it is closed no more, its SLA clock starts again from
    today, and a risk acceptance approved for it ends (expired). The history says who or
    which run, and why. Call inside a transaction, with the finding locked or versioned."""
    from_status = finding.status
    today = today or timezone.localdate()
    claim_finding_version(
        finding=finding,
        version=version,
        status=FindingStatus.OPEN,
        closed_at=None,
        risk_expires_on=None,
        due_date=finding_due_date(project=finding.project, severity=finding.severity, start=today),
        **changes,
    )
    finding.risk_acceptances.filter(state=RiskAcceptanceState.APPROVED).update(
        state=RiskAcceptanceState.EXPIRED
    )
    status_change_record(
        subject=finding,
        project_id=finding.project_id,
        from_status=from_status,
        to_status=FindingStatus.OPEN,
        actor_id=actor_id,
        reason=reason,
        run_id=run_id,
    )
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    data = {"from": from_status, "to": FindingStatus.OPEN, "reason": reason, "run_id": run_id}
    event_publish(Event("finding.status_changed", finding.project, finding, actor, data))
    event_publish(
        Event("finding.opened", finding.project, finding, actor, {**data, "reopened": True})
    )
    return finding


@transaction.atomic
def finding_transition(
    *, finding: Finding, user: User, to: str, reason: str = "", version: int
) -> Finding:
    """A manual status change: legal by the workflow, allowed by the role, not stale."""
    ensure_finding_version(finding=finding, version=version)
    if to not in FindingStatus.values:
        raise InvalidInput(f"Unknown status {to!r}.", field="to")
    refusal = transition_refusal(finding.status, to)
    if refusal:
        raise InvalidInput(refusal, field="to")
    require_on_finding(user=user, finding=finding, action=MANUAL_TRANSITIONS[(finding.status, to)])
    if to in REASON_REQUIRED and not reason.strip():
        raise InvalidInput(reason_missing(to), field="reason")
    from_status = finding.status
    if to == FindingStatus.OPEN and from_status in REOPENED_FROM:
        return finding_reopen(finding=finding, version=version, actor_id=user.pk, reason=reason)
    changes: dict[str, object] = {"status": to}
    if to in CLOSED_FINDING_STATUSES:
        changes["closed_at"] = timezone.now()
    claim_finding_version(finding=finding, version=version, **changes)
    status_change_record(
        subject=finding,
        project_id=finding.project_id,
        from_status=from_status,
        to_status=to,
        actor_id=user.pk,
        reason=reason,
    )
    data = {"from": from_status, "to": to, "reason": reason, "run_id": None}
    event_publish(Event("finding.status_changed", finding.project, finding, user, data))
    return finding


@transaction.atomic
def finding_update(
    *,
    finding: Finding,
    user: User,
    version: int,
    title: str | None = None,
    description: str | None = None,
    severity: str | None = None,
    assigned_team_id: int | None = None,
    assignee_id: int | None = None,
    fields_given: frozenset[str] = frozenset(),
) -> Finding:
    """Triage: the quality manager edits, sets severity (the due date follows) and assigns."""
    ensure_finding_version(finding=finding, version=version)
    require_on_finding(user=user, finding=finding, action=Action.FINDING_TRIAGE)
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = title
    if description is not None:
        changes["description"] = description
    if severity is not None and severity != finding.severity:
        if severity not in Severity.values:
            raise InvalidInput(f"Unknown severity {severity!r}.", field="severity")
        changes["severity"] = severity
        opened = finding.created_at.date() if finding.created_at else timezone.localdate()
        changes["due_date"] = finding_due_date(
            project=finding.project, severity=severity, start=opened
        )
    if "assigned_team" in fields_given:
        changes["assigned_team_id"] = assigned_team_id
    previous_assignee = finding.assignee
    assigning = "assignee" in fields_given and assignee_id != finding.assignee_id
    if assigning:
        # A member of the development team who is not a project member joins it here.
        admission = assignee_admit(
            project=finding.project, person_id=assignee_id, actor=user, field="assignee",
            who="assignee",
        )  # fmt: skip
        changes["assignee_id"] = assignee_id
    claim_finding_version(finding=finding, version=version, **changes)
    if assigning:
        assignment_record(
            finding=finding, actor=user, previous=previous_assignee, admission=admission
        )
        data = {
            "assignee_id": assignee_id,
            "previous_assignee_id": previous_assignee.pk if previous_assignee else None,
        }
        event_publish(Event("finding.assigned", finding.project, finding, user, data))
    return finding


@transaction.atomic
def comment_create(*, finding: Finding, user: User, body: str) -> Comment:
    require_on_finding(user=user, finding=finding, action=Action.COLLABORATE)
    if not body.strip():
        raise InvalidInput("A comment cannot be empty.", field="body")
    comment = Comment(finding=finding, author=user, body=body)
    comment.full_clean()
    comment.save()
    event_publish(Event("comment.created", finding.project, comment, actor=user))
    return comment
