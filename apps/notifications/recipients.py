"""Who a finding concerns: its assignee, or else its team (the finding's, or the
project's development team); and who submitted its latest fix."""

from django.contrib.contenttypes.models import ContentType

from apps.accounts.models import User
from apps.audit.models import StatusChange
from apps.findings.models import Finding, FindingStatus


def finding_people(finding: Finding) -> list[User]:
    if finding.assignee is not None:
        return [finding.assignee]
    team = finding.assigned_team or finding.project.development_team
    return list(team.members.filter(is_active=True)) if team else []


def fix_submitter(finding: Finding) -> User | None:
    change = (
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Finding),
            object_id=finding.pk,
            to_status=FindingStatus.FIX_SUBMITTED,
            actor__isnull=False,
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return change.actor if change is not None else None
