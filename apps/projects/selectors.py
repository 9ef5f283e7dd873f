from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.accounts.models import User
from apps.accounts.permissions import scope_to_visible_projects
from apps.projects.models import Dataset, ModelVersion, Project


def project_list_visible(*, user: User) -> QuerySet[Project]:
    """Projects the user may see: every one for admins and management, else their own."""
    projects = Project.objects.select_related("development_team")
    return scope_to_visible_projects(projects, user=user, project_field="id")


def model_version_list_visible(*, user: User | AnonymousUser) -> QuerySet[ModelVersion]:
    """Model versions of the projects the user may see, with what their pages show."""
    versions = ModelVersion.objects.select_related("project", "uploaded_by")
    return scope_to_visible_projects(versions, user=user)


def dataset_list_visible(*, user: User | AnonymousUser) -> QuerySet[Dataset]:
    """Datasets of the projects the user may see, with what their pages show."""
    datasets = Dataset.objects.select_related("project", "uploaded_by", "model_version")
    return scope_to_visible_projects(datasets, user=user)


def project_visible_or_404(*, user: User, slug: str) -> Project:
    """The project for a page, or 404 when it does not exist or the user may not see it."""
    return get_object_or_404(project_list_visible(user=user), slug=slug)


def model_version_owners(version: ModelVersion) -> str:
    """Who answers for a version: its model card's owners, or else its uploader and the
    project's development team."""
    if version.owners.strip():
        return version.owners
    parts = []
    if version.uploaded_by is not None:
        parts.append(f"{version.uploaded_by.username} (uploader)")
    team = version.project.development_team
    if team is not None:
        parts.append(f"{team.name} (development team)")
    return ", ".join(parts)
