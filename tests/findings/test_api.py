import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.audit.models import StatusChange
from apps.findings.models import Finding
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return ProjectCast()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_illegal_transition_answers_400_naming_the_allowed_ones(cast):
    finding = cast.finding(status="verified")

    response = client_for(cast.qm).post(
        f"/api/v1/findings/{finding.pk}/transition/", {"to": "fix_submitted", "version": 1}
    )

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "A finding cannot move from verified to fix_submitted; allowed: open."
    )


def test_a_stale_version_answers_409_and_changes_nothing(cast):
    finding = cast.finding()
    client = client_for(cast.qm)
    client.post(f"/api/v1/findings/{finding.pk}/transition/", {"to": "in_progress", "version": 1})

    response = client.patch(f"/api/v1/findings/{finding.pk}/", {"severity": "low", "version": 1})

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert Finding.objects.get().severity == "high"


def test_the_developer_submits_a_fix_with_a_comment(cast):
    finding = cast.finding(status="in_progress")
    client = client_for(cast.dev)

    commented = client.post(
        "/api/v1/comments/", {"finding": finding.pk, "body": "Reweighed **sex=F**"}
    )
    moved = client.post(
        f"/api/v1/findings/{finding.pk}/transition/",
        {"to": "fix_submitted", "reason": "retrained on balanced data", "version": 1},
    )

    assert commented.status_code == 201
    assert moved.status_code == 200
    assert moved.json()["status"] == "fix_submitted"
    assert StatusChange.objects.get(object_id=finding.pk).actor == cast.dev


@pytest.mark.parametrize("to", ["verified", "false_positive"])
def test_the_developer_cannot_verify_or_dismiss(cast, to):
    finding = cast.finding(status="fix_submitted" if to == "verified" else "open")

    response = client_for(cast.dev).post(
        f"/api/v1/findings/{finding.pk}/transition/", {"to": to, "reason": "r", "version": 1}
    )

    assert response.status_code == 403
    assert Finding.objects.get().status == finding.status


def test_a_finding_of_another_project_is_404(cast):
    elsewhere = ProjectCast().finding()

    response = client_for(cast.dev).get(f"/api/v1/findings/{elsewhere.pk}/")

    assert response.status_code == 404


def test_findings_filter_by_status_severity_team_and_overdue(cast):
    today = timezone.localdate()
    late = cast.finding(severity="critical", due_date=today - datetime.timedelta(days=3))
    cast.finding(severity="low", status="verified", due_date=today - datetime.timedelta(days=3))
    cast.finding(severity="low", assigned_team=None)
    client = client_for(cast.qm)

    def titles(query: str) -> set[str]:
        return {
            item["title"] for item in client.get(f"/api/v1/findings/?{query}").json()["results"]
        }

    assert titles("overdue=true") == {late.title}
    assert titles("severity=critical") == {late.title}
    assert len(titles("status=open")) == 2
    assert len(titles(f"team={cast.team.pk}")) == 2
    assert len(titles(f"project={cast.project.slug}")) == 3
    assert titles("project=nope") == set()
    body = client.get("/api/v1/findings/?overdue=true").json()["results"][0]
    assert (body["is_overdue"], body["overdue_days"]) == (True, 3)


def test_findings_order_by_created_at(cast):
    first, second = cast.finding(), cast.finding()
    client = client_for(cast.qm)

    ascending = client.get("/api/v1/findings/?ordering=created_at").json()["results"]
    descending = client.get("/api/v1/findings/?ordering=-created_at").json()["results"]

    assert [item["id"] for item in ascending] == [first.pk, second.pk]
    assert [item["id"] for item in descending] == [second.pk, first.pk]
