"""The demo data that `make run` loads: one user per role and a demo project.

Idempotent: every object is looked up by its natural key first, and an existing one is
left as it is (passwords included), so running it twice changes nothing.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from apps.accounts.models import Membership, OrgRole, ProjectRole, Team, User
from apps.projects.models import Project, RiskLevel
from apps.standards.models import Framework, ProjectFramework
from apps.standards.services import project_framework_choose
from qualiti.demo.review import demo_review_seed

DEMO_PASSWORD = "qualiti-demo"  # noqa: S105 (public demo password, never in production)

# username, organisation role, project role in the demo project, description
DEMO_USERS: list[tuple[str, str, str | None, str]] = [
    ("admin", OrgRole.ADMIN, None, "administrator"),
    ("qm", OrgRole.QUALITY_MANAGER, ProjectRole.QUALITY_MANAGER, "quality manager"),
    ("dev", OrgRole.NONE, ProjectRole.DEVELOPER, "developer"),
    ("viewer", OrgRole.NONE, ProjectRole.VIEWER, "viewer"),
    ("manager", OrgRole.MANAGEMENT, None, "management"),
]
DEMO_PROJECT_SLUG = "credit-scoring"
DEMO_TEAM_NAME = "Credit models team"
DEMO_FRAMEWORK = "eu-ai-act"  # credit scoring is a high-risk use under the AI Act's Annex III


class DemoDataRefused(Exception):
    """Raised when demo data is asked for where it must never exist (production)."""


@dataclass(frozen=True)
class DemoSeedSummary:
    created: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.created)


@transaction.atomic
def demo_seed() -> DemoSeedSummary:
    """Create the demo users, team and project that are not there yet."""
    if not settings.QUALITI_DEMO_DATA_ALLOWED:
        raise DemoDataRefused("Demo data is never created under production settings.")
    created: list[str] = []
    users: dict[str, User] = {}
    for username, org_role, _project_role, _label in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@qualiti.example",
                org_role=org_role,
                is_staff=org_role == OrgRole.ADMIN,
                is_superuser=org_role == OrgRole.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            created.append(f"user {username}")
        users[username] = user

    team, team_created = Team.objects.get_or_create(name=DEMO_TEAM_NAME)
    if team_created:
        created.append(f"team {team.name}")
    if not team.members.filter(pk=users["dev"].pk).exists():
        team.members.add(users["dev"])
        created.append("dev in the team")

    project = Project.objects.filter(slug=DEMO_PROJECT_SLUG).first()
    if project is None:
        project = Project(
            name="Credit scoring",
            slug=DEMO_PROJECT_SLUG,
            description=(
                "Demo project: a scikit-learn model that predicts whether a loan applicant "
                "will repay, reviewed for performance, fairness and data quality."
            ),
            risk_level=RiskLevel.HIGH,
            development_team=team,
            created_by=users["qm"],
        )
        project.full_clean()
        project.save()
        created.append(f"project {project.slug}")

    for username, _org_role, project_role, _label in DEMO_USERS:
        if project_role is None:
            continue
        _membership, membership_created = Membership.objects.get_or_create(
            user=users[username], project=project, defaults={"role": project_role}
        )
        if membership_created:
            created.append(f"{username} as {project_role}")
    created += demo_review_seed(project=project, qm=users["qm"], dev=users["dev"])
    framework = Framework.objects.filter(identifier=DEMO_FRAMEWORK).first()
    if (
        framework
        and not ProjectFramework.objects.filter(project=project, framework=framework).exists()
    ):
        project_framework_choose(project=project, framework=framework, user=None)
        created.append(f"{project.slug} follows {framework.identifier}")
    return DemoSeedSummary(created=created)
