import pytest

from apps.accounts.models import OrgRole
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_redirects_an_anonymous_visitor_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_has_labelled_fields(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


def test_it_logs_in_with_the_right_password_and_lands_on_projects(client):
    UserFactory(username="alice")

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "secret-password"}, follow=True
    )

    assert response.redirect_chain[-1] == ("/", 302)
    assert response.context["user"].username == "alice"


def test_it_refuses_a_wrong_password_with_a_message(client):
    UserFactory(username="alice")

    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})

    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert "enter a correct username and password" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_member_sees_only_their_own_projects(client):
    membership = MembershipFactory(project=ProjectFactory(name="Fraud detection"))
    ProjectFactory(name="Secret project")
    client.force_login(membership.user)

    html = client.get("/").content.decode()

    assert "Fraud detection" in html
    assert "Secret project" not in html


@pytest.mark.parametrize("org_role", [OrgRole.MANAGEMENT, OrgRole.ADMIN])
def test_management_and_admins_see_every_project(client, org_role):
    ProjectFactory(name="Fraud detection")
    ProjectFactory(name="Churn model")
    client.force_login(UserFactory(org_role=org_role))

    html = client.get("/").content.decode()

    assert "Fraud detection" in html
    assert "Churn model" in html


def test_a_user_without_projects_gets_a_useful_empty_state(client):
    client.force_login(UserFactory())

    html = client.get("/").content.decode()

    assert "You are not a member of any project yet." in html
