"""The portfolio and the project overview: status with word and icon, the numbers, the
pictures, 404 outside, a fixed number of queries whatever the size."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.findings.models import Finding
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.findings.factories import FindingFactory, ProjectCast
from tests.projects.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def finished_run(project, *, blocking: int = 0, verdict: str = "pass", **fields):
    return EvaluationRunFactory(
        project=project, status="succeeded", verdict=verdict, finished_at=timezone.now(),
        summary={"pass": 4, "fail": blocking, "error": 0, "skipped": 0,
                 "blocking_failures": blocking}, **fields,
    )  # fmt: skip


def figures(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="run-figures" type="application/json">') + 49
    return json.loads(html[start : html.index("</script>", start)])


def test_the_portfolio_shows_each_project_with_its_status_in_words():
    red, green = ProjectCast(), ProjectCast()
    finished_run(red.project, blocking=1, verdict="fail")
    finished_run(green.project)
    response = client_for(red.manager).get(reverse("home"))
    assert response.status_code == 200
    rows = {row.project.pk: row for row in response.context["page"]}
    assert rows[red.project.pk].level == "red"
    assert rows[green.project.pk].level == "green"
    html = response.content.decode()
    assert "At risk" in html and "On track" in html and "✖" in html
    assert "1 blocking check failing on the latest run" in html
    assert set(figures(response)) == {"trend", "opened-closed", "age"}


def test_a_member_sees_only_their_projects_on_the_portfolio():
    mine, other = ProjectCast(), ProjectCast()
    response = client_for(mine.dev).get(reverse("home"))
    shown = [row.project for row in response.context["page"]]
    assert shown == [mine.project]
    assert other.project.name not in response.content.decode()


def test_the_portfolio_filters_by_status_and_search():
    red, green = ProjectCast(), ProjectCast()
    FindingFactory(project=red.project, severity="critical", due_date=datetime.date(2020, 1, 1))
    client = client_for(red.admin)
    shown = client.get(reverse("home"), {"status": "red"}).context["page"]
    assert [row.project for row in shown] == [red.project]
    shown = client.get(reverse("home"), {"q": green.project.name}).context["page"]
    assert [row.project for row in shown] == [green.project]
    response = client.get(reverse("home"), {"q": "no such project"})
    assert "No project matches these filters." in response.content.decode()


def test_a_newcomer_gets_a_useful_empty_portfolio():
    cast = ProjectCast()
    cast.project.delete()
    response = client_for(cast.dev).get(reverse("home"))
    assert "You are not a member of any project yet." in response.content.decode()


def test_the_portfolio_costs_the_same_queries_for_many_projects(django_assert_max_num_queries):
    def grow(count: int):
        for _ in range(count):
            cast = ProjectCast()
            finished_run(cast.project)
            FindingFactory.create_batch(3, project=cast.project)

    grow(2)
    client = client_for(ProjectCast().admin)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("home"))
    grow(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("home"))
    assert len(response.context["page"]) == 26  # each cast brings its outsider's project too


def test_the_overview_shows_versions_verdicts_and_metric_trends():
    cast = ProjectCast()
    criterion = CriterionFactory(project=cast.project, code="PERF-01")
    labels = []
    for recall, outcome in [(0.6, "fail"), (0.8, "pass")]:
        version = ModelVersionFactory(project=cast.project)
        labels.append(f"v{version.sequence}")
        run = finished_run(cast.project, model_version=version, verdict=outcome)
        CheckResultFactory(run=run, criterion=criterion, outcome=outcome, metric="recall",
                           observed={"recall": recall}, threshold=0.7, comparator=">=")  # fmt: skip
    response = client_for(cast.viewer).get(reverse("project-overview", args=[cast.project.slug]))
    assert response.status_code == 200
    shown = figures(response)
    assert "versions" in shown
    trend = shown["metric-0"]["data"][0]
    assert trend["x"] == labels and trend["y"] == [0.6, 0.8]
    assert trend["marker"]["symbol"] == ["x", "circle"]
    assert shown["metric-0"]["layout"]["shapes"][0]["y0"] == 0.7
    html = response.content.decode()
    assert "Fail" in html and "Pass" in html


def test_a_criterion_judged_per_subject_shows_its_worst_subject_on_each_version():
    cast = ProjectCast()
    criterion = CriterionFactory(project=cast.project, code="FAIR-01")
    per_version = [
        [("sex", 0.9, "pass"), ("age_band", 0.7, "fail")],
        [("sex", 0.95, "pass"), ("age_band", 0.85, "pass")],
    ]
    for subjects in per_version:
        run = finished_run(cast.project, model_version=ModelVersionFactory(project=cast.project))
        for subject, ratio, outcome in subjects:
            CheckResultFactory(run=run, criterion=criterion, subject=subject, outcome=outcome,
                               metric="ratio", observed={"ratio": ratio}, threshold=0.8,
                               comparator=">=")  # fmt: skip

    response = client_for(cast.viewer).get(reverse("project-overview", args=[cast.project.slug]))

    trend = figures(response)["metric-0"]["data"][0]
    assert trend["y"] == [0.7, 0.85]
    assert trend["marker"]["symbol"] == ["x", "circle"]


def test_the_overview_of_an_invisible_project_is_404_and_a_get_changes_nothing():
    cast = ProjectCast()
    FindingFactory(project=cast.project)
    before = Finding.objects.values_list("id", "status", "updated_at")
    before = list(before)
    url = reverse("project-overview", args=[cast.project.slug])
    assert client_for(cast.outsider).get(url).status_code == 404
    assert client_for(cast.qm).get(url).status_code == 200
    assert list(Finding.objects.values_list("id", "status", "updated_at")) == before


def test_an_empty_project_overview_says_what_to_do_next():
    cast = ProjectCast()
    response = client_for(cast.qm).get(reverse("project-overview", args=[cast.project.slug]))
    html = response.content.decode()
    assert "No model version yet." in html and "No run yet." in html
