from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import scope_to_visible_projects
from apps.findings.models import CLOSED_FINDING_STATUSES, Comment, CorrectiveAction, Finding


def overdue_condition() -> Q:
    """Still open and past its due date."""
    return Q(due_date__lt=timezone.localdate()) & ~Q(status__in=CLOSED_FINDING_STATUSES)


def finding_list(*, user: User) -> QuerySet[Finding]:
    findings = Finding.objects.select_related(
        "project", "assigned_team", "assignee", "criterion", "first_seen_run", "last_seen_run"
    )
    return scope_to_visible_projects(findings, user=user)


def corrective_action_list(*, user: User) -> QuerySet[CorrectiveAction]:
    actions = CorrectiveAction.objects.select_related("finding", "finding__project", "owner")
    return scope_to_visible_projects(actions, user=user, project_field="finding__project")


def comment_list(*, user: User) -> QuerySet[Comment]:
    comments = Comment.objects.select_related("finding", "author")
    return scope_to_visible_projects(comments, user=user, project_field="finding__project")
