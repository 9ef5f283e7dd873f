from django.db.models import QuerySet

from apps.accounts.models import User
from apps.projects.models import Project


def project_list_visible(*, user: User) -> QuerySet[Project]:
    """Projects the user may see: every one for admins and management, else their own."""
    if not user.is_authenticated:
        return Project.objects.none()
    projects = Project.objects.select_related("development_team")
    if user.sees_every_project:
        return projects
    return projects.filter(memberships__user=user).distinct()
