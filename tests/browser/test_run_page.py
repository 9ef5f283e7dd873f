"""The run page in Chromium: a finished run of the demo project draws its pictures with
plotly.js from static/; a working run shows a live progress bar (htmx) and the results
when it ends."""

import pytest
from playwright.sync_api import expect

from apps.evaluations.models import EvaluationRun, RunStatus
from apps.projects.models import Project
from qualiti.demo.seed import DEMO_PROJECT_SLUG, demo_seed
from tests.browser.test_login_journey import log_in
from tests.evaluations.factories import EvaluationRunFactory
from tests.evaluations.test_views import add_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_run(**fields) -> EvaluationRun:
    """A run of the demo project's model on its evaluation data."""
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    return EvaluationRunFactory(
        project=project,
        model_version=project.model_versions.earliest("sequence"),
        dataset=project.datasets.get(role="evaluation"),
        **fields,
    )


def test_a_finished_run_shows_its_verdict_and_draws_its_charts(live_server, page, screenshot):
    demo_seed()
    run = demo_run(status=RunStatus.SUCCEEDED, verdict="fail", progress=100)
    add_results(run)

    outside = []  # every request must stay on this server: the app works offline
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(live_server.url) else None)  # fmt: skip
    log_in(page, live_server.url, "qm")
    page.goto(f"{live_server.url}/projects/{run.project.slug}/runs/{run.pk}/")

    assert page.get_by_text("Verdict:").is_visible()
    charts = page.locator(".chart")
    assert charts.count() >= 2
    page.wait_for_selector(".chart .main-svg")  # plotly drew into the page
    assert page.locator(".chart .main-svg").count() >= charts.count()
    assert page.get_by_role("table").locator("tbody tr").count() == run.results.count()
    screenshot(page, "run-page-finished")
    assert outside == []


def test_a_working_run_shows_live_progress_then_its_results(live_server, page, screenshot):
    demo_seed()
    run = demo_run(status=RunStatus.RUNNING, progress=35, current_step="drift.columns")
    project = run.project

    log_in(page, live_server.url, "dev")
    page.goto(f"{live_server.url}/projects/{project.slug}/runs/{run.pk}/")
    assert page.locator("#run-progress-bar").get_attribute("value") == "35"
    screenshot(page, "run-page-working")

    EvaluationRun.objects.filter(pk=run.pk).update(progress=80, current_step="fairness")
    # The bar moves without a reload (a locator: the CSP refuses string evaluation).
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "80", timeout=10_000)
    EvaluationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, progress=100, verdict="pass", summary={"pass": 0}
    )
    page.get_by_text("Verdict:").wait_for(timeout=10_000)
    assert page.get_by_text("This run stored no results.").is_visible()
    screenshot(page, "run-page-done")
