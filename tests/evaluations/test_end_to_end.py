"""The whole review through the API and a real worker: a biased model fails, a finding
opens with its corrective action, the developer's fixed model passes and verifies it.

The criterion is the catalogue's FAIR-01 as it is (the four-fifths rule on selection rates
between the groups of the sensitive column "sex"). Version 1 learnt labels biased against
women and approves them far less often; version 2, trained on audited labels, does not.
"""

import io
import time

import pytest
import skops.io
from django.core.files.uploadedfile import SimpleUploadedFile
from threadpoolctl import threadpool_limits

from apps.audit.models import StatusChange
from apps.criteria.services import criterion_templates_sync
from qualiti.demo import data as demo_data
from tests.findings.factories import ProjectCast
from tests.projects.factories import client_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def csv_upload(name: str, frame) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, frame.to_csv(index=False).encode())


def model_upload(label_bias: float) -> SimpleUploadedFile:
    with threadpool_limits(limits=1):
        train = demo_data.credit_applicants(3000, seed=1, label_bias=label_bias)
        model = demo_data.credit_model(train)
    buffer = io.BytesIO()
    skops.io.dump(model, buffer)
    return SimpleUploadedFile("credit.skops", buffer.getvalue())


def wait_for(client, url: str, done, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if done(body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"{url} not done after {timeout}s: {body}")


def created(response) -> dict:
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_biased_model_fails_its_review_and_the_fixed_one_verifies_the_finding(celery_worker):
    criterion_templates_sync()  # the transactional tests flush the migrated catalogue
    cast = ProjectCast()
    qm, dev = client_for(cast.qm), client_for(cast.dev)
    slug = cast.project.slug

    dataset = created(
        qm.post(
            "/api/v1/datasets/",
            {
                "project": slug,
                "name": "Applicants Q1",
                "role": "evaluation",
                "target_column": "repaid",
                "sensitive_columns": ["sex"],
                "file": csv_upload("eval.csv", demo_data.credit_applicants(1500, seed=2)),
            },
            format="multipart",
        )
    )
    wait_for(qm, f"/api/v1/datasets/{dataset['id']}/", lambda d: d["validation_status"] == "valid")
    v1 = created(
        qm.post(
            "/api/v1/model-versions/",
            {
                "project": slug,
                "label": "1.0",
                "task_type": "binary",
                "features": demo_data.FEATURES,
                "artifact": model_upload(label_bias=0.35),
            },
            format="multipart",
        )
    )
    templates = qm.get("/api/v1/criterion-templates/?check_key=fairness.classification").json()
    (template,) = [t for t in templates["results"] if t["code"] == "FAIR-01"]
    assert template["blocking"]
    criterion = created(
        qm.post("/api/v1/criteria/", {"project": slug, "template": template["id"]}, format="json")
    )
    assert (criterion["metric"], criterion["threshold"]) == ("demographic_parity_ratio", 0.8)
    plan = created(qm.post("/api/v1/test-plans/", {"project": slug, "name": "Release gate"}))
    created(qm.post("/api/v1/plan-checks/", {"plan": plan["id"], "criterion": criterion["id"]}))
    assert qm.post(f"/api/v1/test-plans/{plan['id']}/approve/").status_code == 200

    launch = {"project": slug, "test_plan": plan["id"], "dataset": dataset["id"]}
    run1 = created(qm.post("/api/v1/runs/", {**launch, "model_version": v1["id"]}))
    run1 = wait_for(
        qm,
        f"/api/v1/runs/{run1['id']}/",
        lambda r: r["status"] != "queued" and r["status"] != "running",
    )
    assert (run1["status"], run1["verdict"], run1["error"]) == ("succeeded", "fail", "")
    (result,) = qm.get(f"/api/v1/check-results/?run={run1['id']}").json()["results"]
    assert (result["outcome"], result["subject"]) == ("fail", "sex")
    assert result["observed"]["demographic_parity_ratio"] < 0.8
    rates = {group["group"]: group["selection_rate"] for group in result["evidence"]["groups"]}
    assert rates["F"] < rates["M"]
    (finding,) = dev.get(f"/api/v1/findings/?project={slug}").json()["results"]
    assert finding["status"] == "open"
    (action,) = dev.get(f"/api/v1/corrective-actions/?finding={finding['id']}").json()["results"]
    assert action["description"] == template["guidance"]

    v2 = created(
        dev.post(
            "/api/v1/model-versions/",
            {
                "project": slug,
                "label": "1.1 (audited labels)",
                "task_type": "binary",
                "features": demo_data.FEATURES,
                "artifact": model_upload(label_bias=0.0),
            },
            format="multipart",
        )
    )
    response = dev.post(
        f"/api/v1/findings/{finding['id']}/transition/",
        {"to": "fix_submitted", "version": finding["version"], "reason": "retrained"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    run2 = created(dev.post("/api/v1/runs/", {**launch, "model_version": v2["id"]}))
    run2 = wait_for(
        dev, f"/api/v1/runs/{run2['id']}/", lambda r: r["status"] not in ("queued", "running")
    )
    assert (run2["status"], run2["verdict"]) == ("succeeded", "pass")

    finding = dev.get(f"/api/v1/findings/{finding['id']}/").json()
    assert finding["status"] == "verified"
    verification = StatusChange.objects.get(object_id=finding["id"], to_status="verified")
    assert verification.run_id == run2["id"]
    comparison = dev.get(f"/api/v1/runs/{run2['id']}/comparison/").json()
    assert comparison["previous_run"] == run1["id"]
    (fixed,) = comparison["fixed_failures"]
    assert fixed["metric"] == "demographic_parity_ratio" and fixed["delta"] > 0.1
    assert comparison["new_failures"] == []
