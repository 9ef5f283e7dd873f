"""The new project page: who may create a project, and what creating one does."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Membership, OrgRole, ProjectRole
from apps.projects.models import Project
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/projects/new/"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_url_is_the_reserved_one():
    assert reverse("project-create") == URL


def test_it_shows_the_form_with_the_teams_to_a_quality_manager(django_assert_max_num_queries):
    TeamFactory(name="Credit models")
    client = client_of(UserFactory(org_role=OrgRole.QUALITY_MANAGER))

    with django_assert_max_num_queries(8):
        response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    for label in ("Name", "Description", "Risk level", "Development team"):
        assert f">{label}</label>" in page
    assert "Credit models" in page
    assert "Create project" in page
    assert not Project.objects.exists()  # a GET changes nothing


def test_a_quality_manager_creates_a_project_and_becomes_its_quality_manager():
    team = TeamFactory()
    user = UserFactory(org_role=OrgRole.QUALITY_MANAGER)

    response = client_of(user).post(
        URL,
        {
            "name": "Credit scoring",
            "description": "Who gets a loan.",
            "risk_level": "high",
            "development_team": team.pk,
            "run_on_upload": "on",
        },
    )

    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("project-overview", args=[project.slug])
    assert (project.name, project.slug, project.risk_level) == (
        "Credit scoring",
        "credit-scoring",
        "high",
    )
    assert project.development_team == team
    assert project.run_on_upload is True
    assert project.created_by == user
    membership = Membership.objects.get(project=project)
    assert (membership.user, membership.role) == (user, ProjectRole.QUALITY_MANAGER)
    assert "you are its quality manager" in str(next(iter(get_messages(response.wsgi_request))))


def test_an_admin_may_create_a_project_without_a_team():
    response = client_of(UserFactory(org_role=OrgRole.ADMIN)).post(
        URL, {"name": "Chatbot", "risk_level": "limited"}
    )

    assert response.status_code == 302
    assert Project.objects.get().development_team is None


@pytest.mark.parametrize("org_role", [OrgRole.NONE, OrgRole.MANAGEMENT])
def test_a_developer_or_manager_may_not_create_a_project(org_role):
    client = client_of(UserFactory(org_role=org_role))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "Sneaky", "risk_level": "limited"}).status_code == 403
    assert not Project.objects.exists()


def test_bad_input_answers_400_with_the_message_at_the_field():
    client = client_of(UserFactory(org_role=OrgRole.QUALITY_MANAGER))

    response = client.post(URL, {"name": "", "risk_level": "apocalyptic"})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "name" in errors and "risk_level" in errors
    assert "This field is required." in response.content.decode()
    assert not Project.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in():
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_project_named_new_does_not_take_the_new_project_page():
    client = client_of(UserFactory(org_role=OrgRole.QUALITY_MANAGER))

    response = client.post(URL, {"name": "New", "risk_level": "limited"})

    project = Project.objects.get(name="New")
    assert project.slug == "new-2"
    assert response.status_code == 302
    assert client.get(URL).status_code == 200  # still the form, not the project
