import datetime

import factory

from apps.accounts.models import OrgRole, ProjectRole
from apps.findings.models import Finding, FindingStatus
from tests.factories import MembershipFactory, ProjectFactory, TeamFactory, UserFactory


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Finding {n}")
    severity = "high"
    category = "fairness"
    status = FindingStatus.OPEN
    assigned_team = factory.LazyAttribute(lambda finding: finding.project.development_team)
    due_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class ProjectCast:
    """A project with its development team and one user per role."""

    def __init__(self) -> None:
        self.team = TeamFactory()
        self.project = ProjectFactory(development_team=self.team)
        self.qm = MembershipFactory(project=self.project, role=ProjectRole.QUALITY_MANAGER).user
        self.dev = MembershipFactory(project=self.project, role=ProjectRole.DEVELOPER).user
        self.team.members.add(self.dev)
        self.other_dev = MembershipFactory(project=self.project, role=ProjectRole.DEVELOPER).user
        self.viewer = MembershipFactory(project=self.project, role=ProjectRole.VIEWER).user
        self.manager = UserFactory(org_role=OrgRole.MANAGEMENT)
        self.admin = UserFactory(org_role=OrgRole.ADMIN)
        self.outsider = MembershipFactory(role=ProjectRole.QUALITY_MANAGER).user

    def finding(self, **fields) -> Finding:
        return FindingFactory(project=self.project, **fields)
