"""SLA warnings, sent by beat: a finding or corrective action due within two days, and
again once it is overdue; once per threshold and due date (a new due date warns again)."""

import datetime
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.findings.models import ActionStatus, CorrectiveAction, Finding, FindingStatus
from apps.notifications.models import SlaThreshold, SlaWarning
from apps.notifications.recipients import finding_people
from apps.notifications.services import notify, project_quality_managers

DUE_SOON_DAYS = 2
_WORKING_FINDING = (FindingStatus.OPEN, FindingStatus.IN_PROGRESS)
_WORKING_ACTION = (ActionStatus.PROPOSED, ActionStatus.ACCEPTED, ActionStatus.IN_PROGRESS)


def _threshold(due: datetime.date, today: datetime.date) -> SlaThreshold | None:
    if due < today:
        return SlaThreshold.OVERDUE
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return SlaThreshold.DUE_SOON
    return None


def _when(due: datetime.date, today: datetime.date) -> str:
    if due < today:
        days = (today - due).days
        return f"overdue by {days} day{'' if days == 1 else 's'} (due {due})"
    return "due today" if due == today else f"due on {due}"


def _record(**fields: object) -> bool:
    """Note the warning; False when it was sent already (the unique constraints say so)."""
    try:
        with transaction.atomic():
            SlaWarning.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def sla_warnings_send(*, today: datetime.date | None = None) -> int:
    """Send every warning due and not yet sent; how many things were warned about."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    sent = 0
    findings = Finding.objects.filter(
        status__in=_WORKING_FINDING, due_date__isnull=False, due_date__lte=horizon
    ).select_related("project", "assignee", "assigned_team", "project__development_team")
    for finding in findings:
        threshold = _threshold(finding.due_date, today) if finding.due_date else None
        if threshold is None or finding.due_date is None:
            continue
        with transaction.atomic():
            if not _record(finding=finding, threshold=threshold, due_date=finding.due_date):
                continue
            people = finding_people(finding)
            if threshold == SlaThreshold.OVERDUE:
                people += project_quality_managers(finding.project)
            notify(
                recipients=people,
                kind="sla_warning",
                project=finding.project,
                message=f"Finding “{finding.title}” is {_when(finding.due_date, today)}.",
                link=f"/findings/{finding.pk}/",
            )
            sent += 1
    actions = (
        CorrectiveAction.objects.filter(
            status__in=_WORKING_ACTION,
            due_date__isnull=False,
            due_date__lte=horizon,
            finding__status__in=(*_WORKING_FINDING, FindingStatus.FIX_SUBMITTED),
        )
        .select_related("owner", "finding__project", "finding__assignee")
        .select_related("finding__assigned_team", "finding__project__development_team")
    )
    for action in actions:
        threshold = _threshold(action.due_date, today) if action.due_date else None
        if threshold is None or action.due_date is None:
            continue
        with transaction.atomic():
            if not _record(action=action, threshold=threshold, due_date=action.due_date):
                continue
            finding = action.finding
            people = [action.owner] if action.owner else finding_people(finding)
            notify(
                recipients=people,
                kind="sla_warning",
                project=finding.project,
                message=f"Corrective action “{action.description[:80]}” on “{finding.title}” "
                f"is {_when(action.due_date, today)}.",
                link=f"/findings/{finding.pk}/",
            )
            sent += 1
    return sent
