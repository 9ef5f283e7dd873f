"""The run page: live progress while the run works, then verdict, checks, pictures and the
comparison; 404 for what the user may not see; a GET changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.evaluations.models import EvaluationRun, RunStatus
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def finished_run(cast) -> EvaluationRun:
    run = EvaluationRunFactory(
        project=cast.project,
        status=RunStatus.SUCCEEDED,
        verdict="fail",
        progress=100,
        summary={"pass": 1, "fail": 2, "error": 0, "skipped": 0, "blocking_failures": 1},
    )
    return add_results(run)


def add_results(run: EvaluationRun) -> EvaluationRun:
    """A performance, a fairness and a drift result, each with what its picture needs."""
    CheckResultFactory(
        run=run,
        evidence={"classes": ["0", "1"], "confusion_matrix": [[50, 5], [20, 25]]},
        message="Recall is 0.56, outside the bound.",
    )
    CheckResultFactory(
        run=run, check_key="fairness.classification", category="fairness", subject="sex",
        metric="demographic_parity_ratio", observed={"demographic_parity_ratio": 0.6},
        evidence={"groups": [
            {"group": "F", "rows": 60, "judged": True, "selection_rate": 0.3},
            {"group": "M", "rows": 40, "judged": True, "selection_rate": 0.5},
        ]},
    )  # fmt: skip
    CheckResultFactory(
        run=run, check_key="drift.columns", category="drift", subject="age", outcome="pass",
        metric="effect_size", observed={"effect_size": 0.02}, threshold=0.1,
    )  # fmt: skip
    return run


def url(run, name="run-detail"):
    return reverse(name, args=[run.project.slug, run.pk])


def test_a_finished_run_shows_its_verdict_checks_and_pictures():
    cast = ProjectCast()
    run = finished_run(cast)

    response = client_for(cast.viewer).get(url(run))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'Verdict: <strong><a class="term" href="/glossary/#verdict-fail"' in page
    assert 'title="key: fail">Fail</a></strong>' in page
    assert 'title="key: performance.classification">Classification performance</a></td>' in page
    assert "Recall is 0.56, outside the bound." in page
    figures = response.context["figures"]
    assert figures["confusion"]["data"][0]["z"] == [[50, 5], [20, 25]]
    (fairness,) = figures["fairness"]
    assert fairness["data"][0]["y"] == [0.3, 0.5]
    assert fairness["layout"]["shapes"][0]["y0"] == pytest.approx(0.4)  # four fifths of 0.5
    assert figures["drift"]["layout"]["shapes"][0]["y0"] == 0.1
    assert 'id="run-figures"' in page and "vendor/plotly-cartesian.min.js" in page
    assert "first run of this plan" in page


def test_a_working_run_shows_a_progress_bar_that_polls_its_fragment():
    cast = ProjectCast()
    run = EvaluationRunFactory(
        project=cast.project, status=RunStatus.RUNNING, progress=40, current_step="drift.columns"
    )
    client = client_for(cast.dev)

    page = client.get(url(run)).content.decode()
    fragment = client.get(url(run, "run-progress"))

    assert 'value="40"' in page and '<span class="current-step">Column drift</span>' in page
    assert f'hx-get="{url(run, "run-progress")}"' in page and "vendor/htmx.min.js" in page
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment
    EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, progress=100)
    done = client.get(url(run, "run-progress"))
    assert done["HX-Refresh"] == "true"  # the page reloads once, to show the results
    assert "hx-get" not in done.content.decode()  # and the polling stops


@pytest.mark.parametrize("view", ["run-detail", "run-progress"])
def test_someone_outside_the_project_gets_404_not_403(view):
    cast = ProjectCast()
    run = finished_run(cast)

    assert client_for(cast.outsider).get(url(run, view)).status_code == 404
    assert client_for(cast.manager).get(url(run, view)).status_code == 200  # sees every project
    wrong_project = reverse(view, args=["another-project", run.pk])
    assert client_for(cast.qm).get(wrong_project).status_code == 404


def test_the_run_page_needs_a_login():
    run = finished_run(ProjectCast())

    response = Client().get(url(run))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_run_page_queries_a_bounded_number_of_times(django_assert_max_num_queries):
    cast = ProjectCast()
    run = finished_run(cast)
    for number in range(30):
        CheckResultFactory(run=run, subject=f"column {number}", check_key="drift.columns",
                           category="drift", metric="effect_size",
                           observed={"effect_size": 0.01 * number}, threshold=0.1)  # fmt: skip
    client = client_for(cast.qm)

    with django_assert_max_num_queries(13):  # one of them: the runs to compare with
        assert client.get(url(run)).status_code == 200


def test_robustness_and_latency_pictures_use_numeric_axes():
    from apps.evaluations.charts import run_figures

    cast = ProjectCast()
    run = EvaluationRunFactory(project=cast.project, status=RunStatus.SUCCEEDED)
    noise = CheckResultFactory(
        run=run, check_key="robustness.noise", category="robustness", outcome="pass",
        evidence={"curve": [
            {"noise_scale": 0.05, "prediction_flip_rate": 0.01, "relative_metric_drop": 0.0},
            {"noise_scale": 0.1, "prediction_flip_rate": 0.03, "relative_metric_drop": 0.01},
        ]},
    )  # fmt: skip
    latency = CheckResultFactory(
        run=run, check_key="efficiency.latency", category="efficiency", outcome="pass",
        threshold=20.0, evidence={"histogram": {"counts": [3, 1], "edges": [1.0, 2.0, 3.0]}},
    )  # fmt: skip

    figures = run_figures([noise, latency])

    assert figures["robustness"]["data"][0]["y"] == [0.01, 0.03]
    assert figures["robustness"]["layout"]["xaxis"]["type"] == "linear"
    assert figures["latency"]["data"][0]["x"] == [1.5, 2.5]
    assert figures["latency"]["layout"]["shapes"][0]["x0"] == 20.0
