from django.db.models import QuerySet

from apps.accounts.models import User
from apps.accounts.permissions import scope_to_visible_projects
from apps.projects.models import Project


def project_list_visible(*, user: User) -> QuerySet[Project]:
    """Projects the user may see: every one for admins and management, else their own."""
    projects = Project.objects.select_related("development_team")
    return scope_to_visible_projects(projects, user=user, project_field="id")
