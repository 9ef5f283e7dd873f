"""What the answers to a process criterion do to its finding: DESIGN.md's table for runs,
with the quality manager's decision on an answer in place of a check's outcome. The
fingerprint is the project and the criterion (no check, no subject), so every answer to
a criterion meets the same finding.

| status before           | answer sent back or expired   | answer accepted   |
| (none)                  | create open                   | nothing           |
| open, in_progress       | stays; its history says why   | → verified        |
| fix_submitted           | → open                        | → verified        |
| verified                | → open                        | stays             |
| risk_accepted, current  | stays; its history says why   | stays             |
| risk_accepted, expired  | → open                        | → verified        |
| false_positive          | stays; its history says why   | stays             |

A criterion not answered yet opens nothing: coverage shows it as unanswered.
"""

import datetime

from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import status_change_record
from apps.criteria.models import Criterion
from apps.findings.models import Finding, FindingSource, FindingStatus
from apps.findings.services.actions import corrective_action_create
from apps.findings.services.findings import (
    finding_due_date,
    finding_reopen,
)
from apps.findings.services.sync import finding_fingerprint, finding_verify
from qualiti.events import Event, event_publish

S = FindingStatus


def process_finding_fingerprint(*, project_id: int, criterion_id: int) -> str:
    """The project and the criterion: a process criterion has no check and no subject."""
    return finding_fingerprint(
        project_id=project_id, criterion_id=criterion_id, check_key="", subject=""
    )


def process_finding(*, criterion: Criterion, lock: bool = False) -> Finding | None:
    """The finding a process criterion's failed answers opened, if any."""
    findings = Finding.objects.select_related("project")
    if lock:
        findings = findings.select_for_update(of=("self",))
    return findings.filter(
        project_id=criterion.project_id,
        fingerprint=process_finding_fingerprint(
            project_id=criterion.project_id, criterion_id=criterion.pk
        ),
    ).first()


def _risk_expired(finding: Finding, today: datetime.date) -> bool:
    return finding.risk_expires_on is not None and finding.risk_expires_on < today


def _actor(actor_id: int | None) -> User | None:
    return User.objects.filter(pk=actor_id).first() if actor_id is not None else None


def _create(criterion: Criterion, *, reason: str, actor_id: int | None) -> Finding:
    project = criterion.project
    finding = Finding(
        project=project,
        title=f"{criterion.code} {criterion.name}: no valid answer"[:300],
        description=reason,
        severity=criterion.severity,
        category=criterion.category,
        status=S.OPEN,
        source=FindingSource.PROCESS,
        fingerprint=process_finding_fingerprint(project_id=project.pk, criterion_id=criterion.pk),
        criterion=criterion,
        assigned_team=project.development_team,
        assignee_id=criterion.answerer_id,
        due_date=finding_due_date(
            project=project, severity=criterion.severity, start=timezone.localdate()
        ),
        remediation=criterion.guidance,
    )
    finding.full_clean()
    finding.save()
    status_change_record(
        subject=finding,
        project_id=project.pk,
        from_status="",
        to_status=S.OPEN,
        actor_id=actor_id,
        reason=reason,
    )
    corrective_action_create(
        finding=finding,
        user=None,
        description=criterion.guidance or f"Answer {criterion.code} again, with its evidence.",
    )
    event_publish(
        Event(
            "finding.opened",
            project,
            finding,
            actor=_actor(actor_id),
            data={"reopened": False, "run_id": None, "reason": reason},
        )
    )
    return finding


def _note(finding: Finding, *, reason: str, actor_id: int | None) -> None:
    """A failed answer that leaves the finding's status as it is still shows in its history."""
    status_change_record(
        subject=finding,
        project_id=finding.project_id,
        from_status=finding.status,
        to_status=finding.status,
        actor_id=actor_id,
        reason=reason,
    )


def process_finding_fail(
    *,
    criterion: Criterion,
    reason: str,
    actor_id: int | None,
    today: datetime.date | None = None,
) -> Finding:
    """An answer sent back or expired: open the criterion's finding, or reopen it by the
    table above. Call inside the deciding transaction."""
    today = today or timezone.localdate()
    finding = process_finding(criterion=criterion, lock=True)
    if finding is None:
        return _create(criterion, reason=reason, actor_id=actor_id)
    reopens = finding.status in (S.FIX_SUBMITTED, S.VERIFIED) or (
        finding.status == S.RISK_ACCEPTED and _risk_expired(finding, today)
    )
    if not reopens:  # open, in_progress, a current risk acceptance, a false positive
        _note(finding, reason=reason, actor_id=actor_id)
        return finding
    return finding_reopen(
        finding=finding, version=finding.version, actor_id=actor_id, reason=reason, today=today
    )


def process_finding_pass(
    *,
    criterion: Criterion,
    reason: str,
    actor_id: int | None,
    today: datetime.date | None = None,
) -> Finding | None:
    """An accepted answer verifies the criterion's open finding (nothing when there is
    none, or it is closed for another reason). Call inside the deciding transaction."""
    today = today or timezone.localdate()
    finding = process_finding(criterion=criterion, lock=True)
    if finding is None:
        return None
    from_status = finding.status
    verifiable = from_status in (S.OPEN, S.IN_PROGRESS, S.FIX_SUBMITTED) or (
        from_status == S.RISK_ACCEPTED and _risk_expired(finding, today)
    )
    if not verifiable:
        return finding
    finding_verify(finding, reason=reason, actor_id=actor_id)
    return finding
