"""Reads of the reports app shared by pages and the API."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from apps.accounts.models import User
from apps.accounts.permissions import scope_to_visible_projects
from apps.reports.models import Report


def report_list(*, user: User | AnonymousUser) -> QuerySet[Report]:
    """The reports the user may see: those of projects they see; portfolio reports (no
    project) only for who sees every project (administrators and management)."""
    reports = Report.objects.select_related(
        "project", "run", "model_version", "signed_by", "created_by"
    )
    return scope_to_visible_projects(reports, user=user)


def project_reports(*, project_id: int) -> QuerySet[Report]:
    """One project's reports, newest first."""
    return Report.objects.filter(project_id=project_id).select_related(
        "run", "run__model_version", "model_version", "signed_by", "created_by"
    )
