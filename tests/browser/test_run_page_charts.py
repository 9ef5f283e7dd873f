"""Real runs in Chromium: the demo's run of the fixed model draws every picture its plan
produced, the feature select switches the distribution chart (by mouse and by keyboard),
and the comparison lists the metric changes since version 1.0; a run with weak segments
and outliers shows their tables and scatter."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.evaluations.models import EvaluationRun, RunStatus
from qualiti.demo.seed import DEMO_PROJECT_SLUG, demo_seed
from tests.browser.test_login_journey import log_in
from tests.browser.test_run_page import demo_run
from tests.evaluations.test_charts_curves import synthetic_run_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_CHARTS = ["confusion", "roc", "precision_recall", "calibration", "fairness-1", "drift"]


def test_the_demo_run_page_draws_each_category_and_switches_the_feature(
    live_server, page, screenshot
):
    call_command("seed_demo", stdout=StringIO())
    run = (
        EvaluationRun.objects.filter(project__slug=DEMO_PROJECT_SLUG, status=RunStatus.SUCCEEDED)
        .order_by("-model_version__sequence")
        .first()
    )
    outside = []  # every request must stay on this server: the app works offline
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(live_server.url) else None)  # fmt: skip

    log_in(page, live_server.url, "qm")
    page.goto(f"{live_server.url}/projects/{run.project.slug}/runs/{run.pk}/")

    page.wait_for_selector(".chart .main-svg")
    for name in DEMO_CHARTS:
        chart = page.locator(f'.chart[data-figure="{name}"]')
        assert chart.get_attribute("role") == "figure" and chart.get_attribute("aria-label")
        chart.locator(".main-svg").first.wait_for()
    charts = page.locator(".chart")
    page.wait_for_function(
        "() => document.querySelectorAll('.chart').length"
        " === document.querySelectorAll('.chart .main-svg:first-child').length"
    )
    assert charts.count() >= len(DEMO_CHARTS) + 1

    distribution = page.locator("#distribution-chart")
    select = page.get_by_label("Feature shown")
    features = select.locator("option").all_inner_texts()
    assert len(features) >= 2
    first_title = distribution.locator(".gtitle").text_content()
    assert features[0] in first_title
    select.select_option(label=features[1])
    page.wait_for_function(
        "name => document.querySelector('#distribution-chart .gtitle').textContent.includes(name)",
        arg=features[1],
    )
    assert distribution.get_attribute("aria-label") == (
        f"Distribution of {features[1]}: reference and current"
    )
    screenshot(page, "run-page-charts-feature-switched")

    select.focus()
    page.keyboard.press("ArrowUp")  # the keyboard moves back to the first feature
    page.wait_for_function(
        "name => document.querySelector('#distribution-chart .gtitle').textContent.includes(name)",
        arg=features[0],
    )

    changes = page.locator("table.metric-changes")
    assert changes.locator("tbody tr").count() >= 1
    assert changes.locator("thead th[scope=col]").count() == 7
    screenshot(page, "run-page-charts")
    assert outside == []


def test_a_run_with_weak_segments_and_outliers_draws_their_scatter_and_tables(
    live_server, page, screenshot
):
    demo_seed()
    run = demo_run(status=RunStatus.SUCCEEDED, verdict="fail", progress=100)
    for result in synthetic_run_results():
        result.run = run
        result.save()

    log_in(page, live_server.url, "qm")
    page.goto(f"{live_server.url}/projects/{run.project.slug}/runs/{run.pk}/")

    scatter = page.locator('.chart[data-figure="anomalies"]')
    scatter.locator(".main-svg").first.wait_for()
    assert scatter.locator(".scatterlayer .trace").count() == 2  # sample and outliers
    weak = page.get_by_role("table", name="Weak segments")
    assert weak.get_by_role("rowheader").first.inner_text() == "region = east & channel = phone"
    assert weak.locator("tbody tr").first.locator("td").last.inner_text() == "yes"  # own result
    anomalies = page.get_by_role("table", name="Anomalous rows")
    assert anomalies.locator("tbody tr").count() == 20  # ten of each check that found some
    for name in ("roc", "precision_recall", "calibration", "drift"):
        page.locator(f'.chart[data-figure="{name}"] .main-svg').first.wait_for()
    screenshot(page, "run-page-charts-segments-anomalies")
