"""Issue 16's "done when": the Monitoring tab draws three batches. Three production samples
of a real model, each monitored on arrival and run by the same services a worker uses; the
tab, in Chromium, draws each monitored metric with three points per line and its threshold,
plotly.js coming from this server (never a CDN)."""

import pytest
from django.core.files import File

from apps.evaluations.models import EvaluationRun, RunStatus, Trigger
from apps.evaluations.services import run_claim, run_execute
from apps.monitoring.services.settings import monitoring_settings_set
from apps.projects.models import DatasetRole, TaskType
from apps.projects.services import dataset_create, dataset_validate, model_version_create
from qualiti.demo import data as demo_data
from tests.findings.factories import ProjectCast
from tests.monitoring.factories import MonitoringSetup
from tests.monitoring.world import (
    PLAN_NAME,
    batch_frame,
    csv_file,
    model_file,
    monitoring_plan,
    reference_frame,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-password"  # tests.factories.UserFactory's


def upload(cast, name: str, role: str, frame) -> int:
    dataset = dataset_create(
        project=cast.project, user=cast.qm, uploaded_file=File(csv_file(f"{name}.csv", frame)),
        name=name, role=role, target_column=demo_data.TARGET,
        sensitive_columns=demo_data.SENSITIVE,
    )  # fmt: skip
    return dataset_validate(dataset_id=dataset.pk).pk  # its hook runs on commit


def monitored_project(monkeypatch) -> ProjectCast:
    """A project whose three production batches were each monitored on arrival."""
    # The runs are executed here, as a worker would, not sent to a broker nobody reads.
    monkeypatch.setattr("apps.evaluations.services.launch.run_queue", lambda run_id: None)
    cast = ProjectCast()
    monitoring_plan(project=cast.project, qm=cast.qm)
    upload(cast, "Q4 (reference)", DatasetRole.REFERENCE, reference_frame())
    version = model_version_create(
        project=cast.project, user=cast.qm, uploaded_file=File(model_file()), label="1.0",
        task_type=TaskType.BINARY, features=demo_data.FEATURES,
    )  # fmt: skip
    monitoring_settings_set(
        user=cast.qm, project=cast.project, production_model_version=version, plan_name=PLAN_NAME
    )
    for week in (1, 2, 3):
        sample_id = upload(cast, f"Week {week}", DatasetRole.PRODUCTION_SAMPLE, batch_frame(week))
        run = EvaluationRun.objects.get(dataset_id=sample_id, triggered_by=Trigger.MONITORING)
        claimed = run_claim(run_id=run.pk)
        assert claimed is not None
        assert run_execute(run=claimed).status == RunStatus.SUCCEEDED
    return cast


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


# What plotly drew, read from each chart element (plotly keeps its figure on it).
DRAWN = """() => [...document.querySelectorAll('.chart')].map(chart => ({
  label: chart.getAttribute('aria-label'),
  title: chart.layout.title.text,
  threshold: (chart.layout.shapes || []).map(shape => shape.y0),
  thresholdDrawn: chart.querySelectorAll('.shapelayer path').length,
  traces: chart.data.map(trace => ({name: trace.name, x: trace.x, symbols: trace.marker.symbol})),
  markers: chart.querySelectorAll('.scatterlayer .trace .points path').length,
}))"""


def test_the_monitoring_tab_draws_three_batches(live_server, page, screenshot, monkeypatch):
    cast = monitored_project(monkeypatch)
    outside = []  # every request stays on this server: plotly.js comes from static/
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(live_server.url) else None)  # fmt: skip

    log_in(page, live_server.url, cast.viewer.username)
    page.goto(f"{live_server.url}/projects/{cast.project.slug}/")
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Monitoring").click()
    page.get_by_role("heading", name=f"Monitoring of {cast.project.name}").wait_for()
    page.wait_for_function(
        "() => document.querySelectorAll('.chart').length > 0 && [...document.querySelectorAll"
        "('.chart')].every(chart => chart.querySelector('.main-svg'))"
    )
    screenshot(page, "monitoring-tab")

    drawn = {chart["title"].split("<br>")[0]: chart for chart in page.evaluate(DRAWN)}
    assert {
        "DRIFT-01 Population stability index (PSI)",
        "DRIFT-03 Population stability index (PSI)",
        "PERF-03 ROC AUC",
    } <= set(drawn)
    batches = [f"Week {week}" for week in (1, 2, 3)]
    for title, chart in drawn.items():
        assert chart["traces"], title
        for trace in chart["traces"]:
            assert [label.split(" (")[0] for label in trace["x"]] == batches, (title, trace)
        assert chart["markers"] == 3 * len(chart["traces"]), title
        assert len(chart["threshold"]) == 1 and chart["thresholdDrawn"] == 1, title
        assert "threshold" in chart["label"], title
    assert drawn["DRIFT-01 Population stability index (PSI)"]["threshold"] == [0.2]
    income = next(
        t
        for t in drawn["DRIFT-01 Population stability index (PSI)"]["traces"]
        if t["name"] == "income"
    )
    assert income["symbols"][-1] == "x"  # week 3 fails, marked by shape and colour
    drift_columns = {
        trace["name"] for trace in drawn["DRIFT-01 Population stability index (PSI)"]["traces"]
    }
    assert {"income", "age", "region"} <= drift_columns  # drift per column
    findings = page.get_by_role("heading", name="Findings the batches opened")
    assert findings.is_visible()
    assert page.get_by_role("link", name="income", exact=False).count() >= 1
    assert outside == []


def test_the_quality_manager_sets_up_monitoring_and_edits_a_schedule(live_server, page, screenshot):
    setup = MonitoringSetup(configured=False)  # a predictions-only model, a recall plan
    log_in(page, live_server.url, setup.qm.username)
    page.goto(f"{live_server.url}/projects/{setup.project.slug}/monitoring/")
    assert page.get_by_text("Nothing is monitored on arrival yet").is_visible()

    page.get_by_role("link", name="Change the monitoring settings").click()
    page.get_by_label("Production model version").select_option(
        label=f"v{setup.model_version.sequence} {setup.model_version.label}"
    )
    page.get_by_label("Monitoring plan").select_option(setup.plan.name)
    page.get_by_role("button", name="Save the monitoring settings").click()
    assert page.get_by_text("The monitoring settings are saved.").is_visible()

    page.get_by_role("link", name="Schedules").click()
    page.get_by_label("Test plan").select_option(setup.plan.name)
    page.get_by_label("Day").select_option(label="Mondays")
    page.get_by_label("Time").fill("06:00")
    page.get_by_role("button", name="Add the schedule").click()
    row = page.get_by_role("row", name=f"{setup.plan.name} Mondays 06:00")
    assert row.get_by_text("On", exact=True).is_visible()
    screenshot(page, "monitoring-schedules")

    row.get_by_role("link", name="Change").click()
    page.get_by_label("Run on this schedule").uncheck()
    page.get_by_role("button", name="Save the schedule").click()
    row = page.get_by_role("row", name=f"{setup.plan.name} Mondays 06:00")
    assert row.get_by_text("Stopped").is_visible()
    row.get_by_role("button", name="Delete").click()
    assert page.get_by_text("No schedule yet.").is_visible()
