"""Creating and changing projects (uploads live in services.py)."""

from django.db import transaction
from django.utils.text import slugify

from apps.accounts.models import Membership, ProjectRole, Team, User
from apps.accounts.permissions import Action, organisation_action_check, project_action_check
from apps.projects.models import Project
from qualiti.errors import InvalidInput

PROJECT_FIELDS = (
    "name", "description", "risk_level", "development_team", "run_on_upload",
    "sla_critical_days", "sla_high_days", "sla_medium_days", "sla_low_days",
)  # fmt: skip


# Slugs that are pages of their own under /projects/ (projects/new/ creates a project).
RESERVED_SLUGS = frozenset({"new"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "project"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Project.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def project_create(
    *,
    user: User,
    name: str,
    slug: str = "",
    description: str = "",
    risk_level: str = "limited",
    development_team: Team | None = None,
    **settings: object,
) -> Project:
    """A new project; its creator becomes its quality manager. The slug defaults from the name."""
    organisation_action_check(
        user=user, refusal="Only admins and quality managers create projects."
    )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"The slug “{slug}” is reserved; choose another.", field="slug")
    if slug and Project.objects.filter(slug=slug).exists():
        raise InvalidInput(f"The slug “{slug}” is taken; choose another.", field="slug")
    project = Project(
        name=name,
        slug=slug or _unique_slug(name),
        description=description,
        risk_level=risk_level,
        development_team=development_team,
        created_by=user,
        **settings,
    )
    project.full_clean()
    project.save()
    Membership.objects.create(user=user, project=project, role=ProjectRole.QUALITY_MANAGER)
    return project


@transaction.atomic
def project_update(*, project: Project, actor: User | None, **changes: object) -> Project:
    project_action_check(
        user=actor,
        project_id=project.pk,
        action=Action.PROJECT_MANAGE,
        refusal="Only the project's quality manager and admins change its settings.",
    )
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise InvalidInput(f"These fields cannot change here: {', '.join(sorted(unknown))}.")
    for field, value in changes.items():
        setattr(project, field, value)
    project.full_clean()
    project.save()
    return project
