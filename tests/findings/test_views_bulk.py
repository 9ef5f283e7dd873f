"""Bulk assign and status change from the triage list: each finding goes through the
services with the user's own permission; refusals are reported, never a 500."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.findings.models import FindingStatus
from tests.factories import TeamFactory
from tests.findings.factories import FindingFactory, ProjectCast

pytestmark = pytest.mark.django_db

BULK = reverse("finding-bulk")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_quality_manager_assigns_several_findings_and_returns_to_the_filtered_list():
    cast = ProjectCast()
    first, second = cast.finding(), cast.finding()
    team = TeamFactory(name="Model team")
    back = reverse("finding-list") + "?severity=high"

    response = client_for(cast.qm).post(
        BULK,
        {
            "findings": [first.pk, second.pk],
            "operation": "assign",
            "assigned_team": team.pk,
            "assignee": cast.dev.pk,
            "next": back,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == back
    for finding in (first, second):
        finding.refresh_from_db()
        assert finding.assigned_team == team
        assert finding.assignee == cast.dev
        assert finding.version == 2
    assert "2 findings updated." in message_texts(response)


def test_a_status_change_reports_the_refused_ones_with_their_reason():
    cast = ProjectCast()
    movable = cast.finding(title="Movable")
    closed = cast.finding(title="Already verified", status=FindingStatus.VERIFIED)

    response = client_for(cast.dev).post(
        BULK,
        {"findings": [movable.pk, closed.pk], "operation": "status", "to": "in_progress"},
    )

    assert response.status_code == 302
    movable.refresh_from_db()
    closed.refresh_from_db()
    assert movable.status == FindingStatus.IN_PROGRESS
    assert closed.status == FindingStatus.VERIFIED
    texts = message_texts(response)
    assert "1 finding updated." in texts
    assert any(
        text.startswith("Not changed: Already verified: A finding cannot move from verified")
        for text in texts
    )


def test_a_developer_bulk_assign_is_refused_per_finding_by_the_service():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.dev).post(
        BULK, {"findings": [finding.pk], "operation": "assign", "assignee": cast.dev.pk}
    )

    finding.refresh_from_db()
    assert finding.assignee is None
    texts = message_texts(response)
    assert "0 findings updated." in texts
    assert any("does not allow" in text for text in texts)


def test_a_reason_is_needed_to_mark_false_positives():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.qm).post(
        BULK, {"findings": [finding.pk], "operation": "status", "to": "false_positive"}
    )

    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert any("needs a reason" in text for text in message_texts(response))


def test_findings_of_invisible_projects_are_not_touched():
    cast = ProjectCast()
    foreign = FindingFactory()

    response = client_for(cast.qm).post(
        BULK, {"findings": [foreign.pk], "operation": "status", "to": "in_progress"}
    )

    foreign.refresh_from_db()
    assert foreign.status == FindingStatus.OPEN
    assert any("were not found" in text for text in message_texts(response))


def test_nothing_selected_answers_400_with_a_message():
    cast = ProjectCast()

    response = client_for(cast.qm).post(BULK, {"operation": "status", "to": "in_progress"})

    assert response.status_code == 400
    assert b"Select at least one finding." in response.content


def test_assign_without_a_team_or_person_answers_400():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.qm).post(BULK, {"findings": [finding.pk], "operation": "assign"})

    assert response.status_code == 400
    assert b"Choose a team or a person to assign to." in response.content


def test_a_viewer_may_not_post_bulk_changes():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.viewer).post(
        BULK, {"findings": [finding.pk], "operation": "status", "to": "in_progress"}
    )

    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_an_outside_next_is_ignored():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.qm).post(
        BULK,
        {
            "findings": [finding.pk],
            "operation": "status",
            "to": "in_progress",
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == reverse("finding-list")


def test_a_get_changes_nothing():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.qm).get(
        BULK, {"findings": [finding.pk], "operation": "status", "to": "in_progress"}
    )

    assert response.status_code == 405
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
