"""Any two succeeded runs of a project compared side by side, on the run page and in the
API, not only a run and the previous one."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.evaluations.models import RunStatus
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_with_recall(cast, recall: float, outcome: str):
    run = EvaluationRunFactory(project=cast.project, status=RunStatus.SUCCEEDED, verdict="pass")
    CheckResultFactory(
        run=run, metric="recall", observed={"recall": recall}, outcome=outcome, subject=""
    )
    return run


@pytest.fixture
def three_runs():
    cast = ProjectCast()
    first = run_with_recall(cast, 0.50, "fail")
    second = run_with_recall(cast, 0.60, "fail")
    third = run_with_recall(cast, 0.80, "pass")
    return cast, first, second, third


def test_the_run_page_compares_with_any_chosen_run(three_runs):
    cast, first, _, third = three_runs
    page_url = reverse("run-detail", args=[cast.project.slug, third.pk])

    page = client_for(cast.viewer).get(page_url, {"compare": first.pk}).content.decode()

    assert f"Compared with run {first.pk}</h2>" in page
    assert f'<option value="{first.pk}" selected>' in page
    assert "0.5000" in page and "0.8000" in page and "+0.3000" in page
    fixed = page.split("<h3>Fixed failures</h3>")[1].split("</ul>")[0]
    assert "recall" in fixed


def test_a_run_of_another_project_or_not_finished_cannot_be_chosen(three_runs):
    cast, _, _, third = three_runs
    elsewhere = run_with_recall(ProjectCast(), 0.9, "pass")
    queued = EvaluationRunFactory(project=cast.project, status=RunStatus.QUEUED)
    page_url = reverse("run-detail", args=[cast.project.slug, third.pk])
    client = client_for(cast.qm)

    for other in (elsewhere.pk, queued.pk, "abc"):
        assert client.get(page_url, {"compare": other}).status_code == 404


def test_the_api_compares_with_any_chosen_run_and_refuses_others_with_400(three_runs):
    cast, first, _, third = three_runs
    client = client_for(cast.viewer)
    url = f"/api/v1/runs/{third.pk}/comparison/"

    chosen = client.get(url, {"with": first.pk}).json()
    default = client.get(url).json()
    refused = client.get(url, {"with": 999999})

    assert (chosen["previous_run"], chosen["chosen"]) == (first.pk, True)
    assert chosen["checks"][0]["delta"] == pytest.approx(0.3)
    assert default["chosen"] is False
    assert refused.status_code == 400 and "with" in refused.json()["detail"]
