"""The members page: who may read it, who may change it, and what the changes do."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Membership, ProjectRole
from tests.factories import UserFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return ProjectCast()


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(cast, name: str, *args) -> str:
    return reverse(name, args=[cast.project.slug, *args])


def test_the_quality_manager_adds_a_person_who_can_then_be_assigned(cast):
    newcomer = UserFactory(username="newcomer")
    client = client_of(cast.qm)
    page = client.get(url(cast, "project-members")).content.decode()
    assert 'for="id_user"' in page and "newcomer" in page

    response = client.post(
        url(cast, "project-member-add"), {"user": newcomer.pk, "role": ProjectRole.DEVELOPER}
    )

    assert response.status_code == 302
    assert Membership.objects.get(project=cast.project, user=newcomer).role == "developer"
    page = client.get(response["Location"]).content.decode()
    assert "newcomer joined as developer." in page
    assert "Remove newcomer" in page


def test_the_quality_manager_changes_a_role_and_removes_a_member(cast):
    client = client_of(cast.qm)
    membership = Membership.objects.get(project=cast.project, user=cast.viewer)

    client.post(url(cast, "project-member-role", membership.pk), {"role": "developer"})
    membership.refresh_from_db()
    assert membership.role == "developer"

    client.post(url(cast, "project-member-remove", membership.pk))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client_of(cast.viewer).get(url(cast, "project-members")).status_code == 404


def test_a_member_already_there_or_no_person_is_refused_at_the_field(cast):
    client = client_of(cast.qm)

    response = client.post(url(cast, "project-member-add"), {"user": cast.dev.pk, "role": "viewer"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()  # members are not offered
    assert Membership.objects.get(project=cast.project, user=cast.dev).role == "developer"


def test_other_roles_read_the_list_without_forms_and_are_refused(cast):
    newcomer = UserFactory()
    membership = Membership.objects.get(project=cast.project, user=cast.viewer)
    for user in (cast.dev, cast.viewer, cast.manager):
        client = client_of(user)
        page = client.get(url(cast, "project-members")).content.decode()
        assert cast.qm.username in page and "Add member" not in page
        add = {"user": newcomer.pk, "role": "developer"}
        assert client.post(url(cast, "project-member-add"), add).status_code == 403
        assert client.post(url(cast, "project-member-remove", membership.pk)).status_code == 403
    outsider = client_of(cast.outsider)
    assert outsider.get(url(cast, "project-members")).status_code == 404
    assert outsider.post(url(cast, "project-member-remove", membership.pk)).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not Membership.objects.filter(user=newcomer).exists()
