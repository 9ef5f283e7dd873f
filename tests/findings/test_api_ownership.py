"""Ownership over the API: take (POST /api/v1/corrective-actions/{id}/take/), propose
(POST /api/v1/findings/{id}/propose-action/), assigning a team member, and the note a
submitted fix needs."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.findings.models import CorrectiveAction, FindingStatus
from tests.factories import TeamFactory, UserFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return ProjectCast()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def take(user, action, version=1):
    return client_for(user).post(
        f"/api/v1/corrective-actions/{action.pk}/take/", {"version": version}
    )


def test_a_developer_takes_an_action(cast):
    action = CorrectiveAction.objects.create(finding=cast.finding(), description="Fix")

    response = take(cast.dev, action)

    assert response.status_code == 200
    assert response.json()["owner"] == cast.dev.pk
    assert response.json()["status"] == "in_progress"
    assert response.json()["version"] == 2


@pytest.mark.parametrize(
    ("who", "status"), [("viewer", 403), ("manager", 403), ("outsider", 404), ("other", 403)]
)
def test_taking_is_refused(cast, who, status):
    finding = cast.finding(assigned_team=TeamFactory()) if who == "other" else cast.finding()
    action = CorrectiveAction.objects.create(finding=finding, description="Fix")

    response = take(cast.dev if who == "other" else getattr(cast, who), action)

    assert response.status_code == status
    action.refresh_from_db()
    assert action.owner is None


def test_taking_a_stale_or_owned_action(cast):
    action = CorrectiveAction.objects.create(
        finding=cast.finding(), description="Fix", owner=cast.other_dev, version=3
    )

    stale = take(cast.dev, action, version=2)
    owned = take(cast.dev, action, version=3)

    assert stale.status_code == 409
    assert owned.status_code == 400
    assert owned.json()["detail"] == (
        f"This action is already owned by {cast.other_dev.username}; the quality manager can "
        "hand it over."
    )


def test_a_developer_proposes_an_action(cast):
    finding = cast.finding()

    response = client_for(cast.dev).post(
        f"/api/v1/findings/{finding.pk}/propose-action/", {"description": "Reweigh by sex"}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["finding"], body["status"], body["owner"]) == (finding.pk, "proposed", None)


@pytest.mark.parametrize(
    ("who", "status"), [("viewer", 403), ("outsider", 404), ("other", 403), ("empty", 400)]
)
def test_proposing_is_refused(cast, who, status):
    finding = cast.finding(assigned_team=TeamFactory()) if who == "other" else cast.finding()
    user = cast.dev if who in ("other", "empty") else getattr(cast, who)

    response = client_for(user).post(
        f"/api/v1/findings/{finding.pk}/propose-action/",
        {"description": "" if who == "empty" else "Fix"},
    )

    assert response.status_code == status
    assert not CorrectiveAction.objects.exists()


def test_a_fix_without_a_note_answers_400_saying_what_to_write(cast):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS)

    response = client_for(cast.dev).post(
        f"/api/v1/findings/{finding.pk}/transition/", {"to": "fix_submitted", "version": 1}
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Submitting a fix needs a note: what changed, and which model version "
        "carries the fix.",
        "code": "invalid",
        "field": "reason",
    }


def test_the_qm_assigns_a_team_member_who_joins_the_project(cast):
    newcomer = UserFactory()
    cast.team.members.add(newcomer)
    finding = cast.finding()

    response = client_for(cast.qm).patch(
        f"/api/v1/findings/{finding.pk}/", {"assignee": newcomer.pk, "version": 1}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["assignee"] == newcomer.pk
    assert Membership.objects.get(project=cast.project, user=newcomer).role == "developer"
    history = client_for(cast.qm).get(
        "/api/v1/history/", {"object_id": finding.pk, "kind": "assignment"}
    )
    (line,) = history.json()["results"]
    assert line["actor"] == cast.qm.username
    assert line["reason"].startswith(f"assigned to {newcomer.username}; ")


def test_someone_outside_the_project_and_team_answers_400(cast):
    stranger = UserFactory()
    finding = cast.finding()

    response = client_for(cast.qm).patch(
        f"/api/v1/findings/{finding.pk}/", {"assignee": stranger.pk, "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The assignee must be a member of the project or of its development team."
    )
    assert not Membership.objects.filter(user=stranger).exists()
