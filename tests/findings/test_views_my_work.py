""" "My work": the open findings and actions of the user's teams, soonest due first, with
the buttons they may press right there, which come back to the page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from apps.findings import services
from apps.findings.models import ActionStatus, FindingStatus
from tests.factories import TeamFactory
from tests.findings.factories import FindingFactory, ProjectCast

pytestmark = pytest.mark.django_db

MY_WORK = reverse("my-work")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def days(count: int) -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=count)


def finding_titles(response) -> list[str]:
    return [finding.title for finding, _ in response.context["finding_rows"]]


def test_it_lists_the_open_findings_of_my_teams_overdue_first():
    cast = ProjectCast()
    cast.finding(title="Due later", due_date=days(10))
    cast.finding(title="Overdue", due_date=days(-2))
    cast.finding(title="Closed", status=FindingStatus.VERIFIED)
    cast.finding(title="Other team's", assigned_team=TeamFactory())
    FindingFactory(title="Other project")

    response = client_for(cast.dev).get(MY_WORK)

    assert response.status_code == 200
    assert finding_titles(response) == ["Overdue", "Due later"]
    assert b'class="overdue">Overdue' in response.content


def test_findings_assigned_to_me_personally_show_too():
    cast = ProjectCast()
    cast.finding(title="Mine", assigned_team=TeamFactory(), assignee=cast.other_dev)

    response = client_for(cast.other_dev).get(MY_WORK)

    assert finding_titles(response) == ["Mine"]


def test_rows_carry_the_buttons_the_developer_may_press():
    cast = ProjectCast()
    cast.finding(title="Fresh")
    cast.finding(title="Underway", status=FindingStatus.IN_PROGRESS)

    page = client_for(cast.dev).get(MY_WORK).content.decode()

    assert 'Start work<span class="visually-hidden"> on Fresh' in page
    assert 'Submit fix<span class="visually-hidden"> on Underway' in page
    assert 'Start work<span class="visually-hidden"> on Underway' not in page


def test_no_buttons_where_the_service_would_refuse():
    cast = ProjectCast()
    cast.finding(title="Someone else's team", assigned_team=TeamFactory(), assignee=cast.other_dev)

    page = client_for(cast.other_dev).get(MY_WORK).content.decode()

    assert "Someone else&#x27;s team" in page
    assert "Start work" not in page


def test_start_work_from_my_work_comes_back_to_my_work():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.dev).post(
        reverse("finding-status", args=[finding.pk]),
        {"to": "in_progress", "version": finding.version, "next": MY_WORK},
    )

    assert response.status_code == 302
    assert response["Location"] == MY_WORK
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS


def test_actions_are_listed_with_their_buttons_and_mark_done_works():
    cast = ProjectCast()
    finding = cast.finding(title="Recall too low")
    action = services.corrective_action_create(
        finding=finding, user=cast.qm, description="Retrain with balanced data", due_date=days(-1)
    )
    client = client_for(cast.dev)

    page = client.get(MY_WORK).content.decode()
    response = client.post(
        reverse("finding-action-update", args=[finding.pk, action.pk]),
        {"status": "done", "version": action.version, "next": MY_WORK},
    )

    assert "Retrain with balanced data" in page
    assert "Mark done<span" in page and "Start action<span" in page
    assert response["Location"] == MY_WORK
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert "Retrain with balanced data" not in client.get(MY_WORK).content.decode()


def test_nothing_assigned_shows_the_empty_state():
    cast = ProjectCast()

    response = client_for(cast.viewer).get(MY_WORK)

    assert b"Nothing assigned to your teams." in response.content


@pytest.mark.parametrize("rows", [2, 20])
def test_the_query_count_does_not_grow_with_rows(rows, django_assert_max_num_queries):
    cast = ProjectCast()
    for index in range(rows):
        finding = cast.finding(due_date=days(index - 5))
        services.corrective_action_create(finding=finding, user=cast.qm, description="Fix")
    client = client_for(cast.dev)

    with django_assert_max_num_queries(12):
        response = client.get(MY_WORK)
    assert len(response.context["finding_rows"]) == rows
    assert len(response.context["action_rows"]) == rows
