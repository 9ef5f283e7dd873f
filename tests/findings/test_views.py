"""The triage list: what it shows, its filters and sorting, its CSV export, and that its
query count stays flat as findings grow."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse

from apps.findings.models import FindingStatus
from tests.factories import TeamFactory
from tests.findings.factories import FindingFactory, ProjectCast

pytestmark = pytest.mark.django_db

LIST = reverse("finding-list")
EXPORT = reverse("finding-export")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def days(count: int) -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=count)


def titles(response) -> list[str]:
    return [finding.title for finding in response.context["page"].object_list]


def test_it_lists_the_open_findings_of_visible_projects_only():
    cast = ProjectCast()
    finding = cast.finding(title="Recall too low")
    cast.finding(title="Already verified", status=FindingStatus.VERIFIED)
    FindingFactory(title="Someone else's finding")  # another project

    response = client_for(cast.dev).get(LIST)

    assert response.status_code == 200
    assert titles(response) == ["Recall too low"]
    assert b"Recall too low" in response.content
    assert b"Someone else" not in response.content
    assert reverse("finding-detail", args=[finding.pk]).encode() in response.content


def test_any_status_includes_closed_findings():
    cast = ProjectCast()
    cast.finding(title="Open one")
    cast.finding(title="Verified one", status=FindingStatus.VERIFIED)

    response = client_for(cast.qm).get(LIST, {"status": "any"})

    assert sorted(titles(response)) == ["Open one", "Verified one"]


def test_filters_narrow_the_list():
    cast = ProjectCast()
    other_team = TeamFactory(name="Data team")
    cast.finding(title="Critical drift", severity="critical", category="drift")
    cast.finding(title="Low fairness", severity="low", category="fairness")
    cast.finding(title="Late one", due_date=days(-3))
    cast.finding(title="Elsewhere", assigned_team=other_team)
    cast.finding(title="In progress", status=FindingStatus.IN_PROGRESS)
    client = client_for(cast.qm)

    assert titles(client.get(LIST, {"severity": "critical"})) == ["Critical drift"]
    assert titles(client.get(LIST, {"category": "drift"})) == ["Critical drift"]
    assert titles(client.get(LIST, {"overdue": "yes"})) == ["Late one"]
    assert titles(client.get(LIST, {"team": other_team.pk})) == ["Elsewhere"]
    assert titles(client.get(LIST, {"status": "in_progress"})) == ["In progress"]
    assert titles(client.get(LIST, {"q": "FAIRNESS"})) == ["Low fairness"]
    assert len(titles(client.get(LIST, {"project": cast.project.slug}))) == 5


def test_the_project_filter_keeps_to_that_project():
    cast, other = ProjectCast(), ProjectCast()
    cast.finding(title="Mine")
    other.finding(title="Theirs")

    response = client_for(cast.admin).get(LIST, {"project": cast.project.slug})

    assert titles(response) == ["Mine"]


def test_an_invisible_project_filter_answers_400_with_a_message():
    cast, other = ProjectCast(), ProjectCast()
    other.finding(title="Theirs")

    response = client_for(cast.dev).get(LIST, {"project": other.project.slug})

    assert response.status_code == 400
    assert titles(response) == []
    assert b"Select a valid choice" in response.content


def test_sorting_by_severity_and_by_due_date():
    cast = ProjectCast()
    cast.finding(title="Low soon", severity="low", due_date=days(1))
    cast.finding(title="Critical later", severity="critical", due_date=days(20))
    client = client_for(cast.qm)

    assert titles(client.get(LIST, {"sort": "severity"})) == ["Critical later", "Low soon"]
    assert titles(client.get(LIST, {"sort": "due"})) == ["Low soon", "Critical later"]


def test_an_overdue_finding_is_marked_with_the_word():
    cast = ProjectCast()
    cast.finding(title="Late one", due_date=days(-3))

    response = client_for(cast.viewer).get(LIST)

    assert b'class="overdue">Overdue' in response.content


def test_rows_have_labelled_checkboxes_for_those_who_may_act_and_none_for_a_viewer():
    cast = ProjectCast()
    cast.finding(title="Recall too low")

    qm_page = client_for(cast.qm).get(LIST).content.decode()
    viewer_page = client_for(cast.viewer).get(LIST).content.decode()

    assert 'aria-label="Select Recall too low"' in qm_page
    assert ">Assign</button>" in qm_page and ">Change status</button>" in qm_page
    assert "Select Recall too low" not in viewer_page
    assert reverse("finding-bulk") not in viewer_page


def test_an_empty_list_says_so():
    cast = ProjectCast()

    response = client_for(cast.dev).get(LIST)

    assert b"No findings match these filters." in response.content


def test_the_list_is_paginated_keeping_the_filters():
    cast = ProjectCast()
    for _ in range(51):
        cast.finding(severity="medium")

    response = client_for(cast.qm).get(LIST, {"severity": "medium"})

    assert len(titles(response)) == 50
    assert b"severity=medium&amp;page=2" in response.content
    assert len(titles(client_for(cast.qm).get(LIST, {"severity": "medium", "page": 2}))) == 1


def test_the_list_needs_a_login():
    response = Client().get(LIST)
    assert response.status_code == 302


def _count_queries(django_assert_max_num_queries, client, url, params=None) -> None:
    with django_assert_max_num_queries(12):
        response = client.get(url, params or {})
        b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_query_count_does_not_grow_with_rows(rows, django_assert_max_num_queries):
    cast = ProjectCast()
    for index in range(rows):
        cast.finding(assignee=cast.dev if index % 2 else None)
    _count_queries(django_assert_max_num_queries, client_for(cast.qm), LIST)


def test_the_export_is_a_csv_attachment_of_the_filtered_findings():
    cast = ProjectCast()
    cast.finding(title="Critical drift", severity="critical", assignee=cast.dev)
    cast.finding(title="Low fairness", severity="low")
    FindingFactory(title="Someone else's finding")

    response = client_for(cast.viewer).get(EXPORT, {"severity": "critical"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="findings-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["id", "project", "title", "severity", "status"]
    assert len(rows) == 2
    assert rows[1][1:5] == [cast.project.slug, "Critical drift", "critical", "open"]
    assert cast.dev.username in rows[1]


def test_the_export_defuses_spreadsheet_formulas():
    cast = ProjectCast()
    cast.finding(title='=HYPERLINK("http://evil")')

    response = client_for(cast.qm).get(EXPORT)

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][2].startswith("'=")


def test_the_export_refuses_a_bad_filter():
    cast = ProjectCast()
    response = client_for(cast.qm).get(EXPORT, {"severity": "dreadful"})
    assert response.status_code == 400
    assert b"severity" in response.content


@pytest.mark.parametrize("rows", [2, 20])
def test_the_export_query_count_does_not_grow_with_rows(rows, django_assert_max_num_queries):
    cast = ProjectCast()
    for _ in range(rows):
        cast.finding(assignee=cast.dev)
    _count_queries(django_assert_max_num_queries, client_for(cast.qm), EXPORT)
