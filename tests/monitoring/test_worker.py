"""Issue 16's "done when": a production-sample upload starts a monitoring run without
anyone clicking. Through the API (the service that the page and the client use too) and
the session's real Celery worker: the worker validates the sample, the hook queues the run,
the worker runs it."""

import time

import pytest

from apps.monitoring.services.settings import monitoring_settings_set
from apps.projects.models import ModelVersion
from qualiti.demo import data as demo_data
from tests.findings.factories import ProjectCast
from tests.monitoring.world import (
    PLAN_NAME,
    batch_frame,
    csv_file,
    model_file,
    monitoring_plan,
    reference_frame,
)
from tests.projects.factories import client_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(client, url: str, done, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if found := done(body):
            return found
        time.sleep(0.3)
    raise AssertionError(f"{url} not done after {timeout}s: {body}")


def created(response) -> dict:
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_production_sample_uploaded_through_the_api_is_monitored(celery_worker):
    cast = ProjectCast()
    qm, slug = client_for(cast.qm), cast.project.slug
    monitoring_plan(project=cast.project, qm=cast.qm)
    named = {"target_column": demo_data.TARGET, "sensitive_columns": demo_data.SENSITIVE}
    reference = created(
        qm.post(
            "/api/v1/datasets/",
            {"project": slug, "name": "Q4 (reference)", "role": "reference", **named,
             "file": csv_file("reference.csv", reference_frame())},
            format="multipart",
        )
    )  # fmt: skip
    version = created(
        qm.post(
            "/api/v1/model-versions/",
            {"project": slug, "label": "1.0", "task_type": "binary",
             "features": demo_data.FEATURES, "artifact": model_file()},
            format="multipart",
        )
    )  # fmt: skip
    wait_for(
        qm, f"/api/v1/datasets/{reference['id']}/", lambda d: d["validation_status"] == "valid"
    )
    monitoring_settings_set(
        user=cast.qm,
        project=cast.project,
        production_model_version=ModelVersion.objects.get(pk=version["id"]),
        plan_name=PLAN_NAME,
    )

    sample = created(
        qm.post(
            "/api/v1/datasets/",
            {"project": slug, "name": "Week 1", "role": "production_sample", **named,
             "file": csv_file("week-1.csv", batch_frame(3))},
            format="multipart",
        )
    )  # fmt: skip

    def finished_run(body):
        runs = [run for run in body["results"] if run["dataset"] == sample["id"]]
        return runs[0] if runs and runs[0]["status"] not in ("queued", "running") else None

    run = wait_for(qm, f"/api/v1/runs/?project={slug}", finished_run)
    assert (run["status"], run["error"], run["triggered_by"]) == ("succeeded", "", "monitoring")
    assert (run["model_version"], run["reference_dataset"]) == (version["id"], reference["id"])
    assert run["created_by"] == cast.qm.pk
    results = qm.get(f"/api/v1/check-results/?run={run['id']}&limit=200").json()["results"]
    drifted = {r["subject"] for r in results if r["check_key"] == "drift.columns"}
    assert {"income", "age"} <= drifted  # drift per column
    assert any(r["check_key"] == "drift.prediction" for r in results)
    assert any(r["check_key"] == "performance.classification" for r in results)
    income = next(r for r in results if r["subject"] == "income" and r["metric"] == "psi")
    assert income["outcome"] == "fail"  # batch 3's incomes are far from the reference's
    findings = qm.get(f"/api/v1/findings/?project={slug}").json()["results"]
    assert any("income" in finding["title"] for finding in findings)
