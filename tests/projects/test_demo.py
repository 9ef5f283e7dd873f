import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import Membership, OrgRole, ProjectRole, Team, User
from apps.projects.models import Project
from qualiti.demo.seed import DEMO_PASSWORD, demo_seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root():
    """The session's media folder: a worker started by other tests may validate the demo's
    uploads too (their validation task is queued on commit), and it reads that folder."""
    return None


def snapshot() -> dict:
    return {
        "users": list(User.objects.values_list("username", "password", "org_role").order_by("id")),
        "teams": list(Team.objects.values_list("name", "members").order_by("id")),
        "projects": list(Project.objects.values_list("slug", "updated_at").order_by("id")),
        "memberships": list(
            Membership.objects.values_list("user__username", "role").order_by("id")
        ),
    }


def test_it_creates_one_user_per_role_with_the_demo_password():
    demo_seed()

    roles = dict(User.objects.values_list("username", "org_role"))
    assert roles == {
        "admin": OrgRole.ADMIN,
        "qm": OrgRole.QUALITY_MANAGER,
        "dev": OrgRole.NONE,
        "viewer": OrgRole.NONE,
        "manager": OrgRole.MANAGEMENT,
    }
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="admin").is_superuser


def test_the_demo_project_has_its_quality_manager_developer_and_viewer():
    demo_seed()

    project = Project.objects.get()
    roles = dict(project.memberships.values_list("user__username", "role"))
    assert roles == {
        "qm": ProjectRole.QUALITY_MANAGER,
        "dev": ProjectRole.DEVELOPER,
        "viewer": ProjectRole.VIEWER,
    }
    assert list(project.development_team.members.values_list("username", flat=True)) == ["dev"]
    # Its Compliance tab and reports have a framework to show (issue 18).
    assert list(project.framework_choices.values_list("framework__identifier", flat=True)) == [
        "eu-ai-act"
    ]


def test_running_it_twice_changes_nothing():
    first = demo_seed()
    before = snapshot()

    second = demo_seed()

    assert first.changed
    assert not second.changed
    assert snapshot() == before


def test_it_leaves_a_changed_demo_password_alone():
    demo_seed()
    qm = User.objects.get(username="qm")
    qm.set_password("a-new-password")
    qm.save()

    demo_seed()

    assert User.objects.get(username="qm").check_password("a-new-password")


def test_it_is_refused_under_production_settings(settings):
    settings.QUALITI_DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="never created under production"):
        call_command("seed_demo")

    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_demo_command_leaves_runs_an_open_finding_and_a_verified_one(capsys):
    from apps.evaluations.models import EvaluationRun
    from apps.findings.models import Finding

    call_command("seed_demo")
    first_output = capsys.readouterr().out
    call_command("seed_demo")
    second_output = capsys.readouterr().out

    runs = list(EvaluationRun.objects.order_by("model_version__sequence"))
    assert [run.status for run in runs] == ["succeeded", "succeeded"]
    assert [run.model_version.sequence for run in runs] == [1, 2]
    statuses = {finding.check_key: finding.status for finding in Finding.objects.all()}
    assert statuses["data_quality.missing_values"] == "open"
    assert "verified" in statuses.values()
    assert all(finding.actions.exists() for finding in Finding.objects.all())
    assert "run of 1.1 (audited labels)" in first_output
    assert "nothing changed" in second_output
