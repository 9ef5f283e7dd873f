"""`qualiti gate` (the client, as a separate process) against a live server and a real
worker: a biased model fails the fairness criterion, exits 1 and leaves a JUnit failure; the
same files again upload nothing new; the fixed model passes with 0; a refused upload gives 2;
a web server stopped mid-run gives 3 after the client's retries.
"""

import io
import os
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import skops.io
from knox.models import AuthToken
from threadpoolctl import threadpool_limits

from apps.criteria.services import criterion_templates_sync
from apps.projects.models import Dataset, ModelVersion
from qualiti.demo import data as demo_data
from tests.findings.factories import ProjectCast
from tests.projects.factories import client_for
from tests.support.web_server import web_server_process

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def model_file(path: Path, label_bias: float) -> Path:
    with threadpool_limits(limits=1):
        model = demo_data.credit_model(
            demo_data.credit_applicants(3000, seed=1, label_bias=label_bias)
        )
    buffer = io.BytesIO()
    skops.io.dump(model, buffer)
    path.write_bytes(buffer.getvalue())
    return path


def approved_fairness_plan(cast: ProjectCast) -> None:
    qm, slug = client_for(cast.qm), cast.project.slug
    templates = qm.get("/api/v1/criterion-templates/?check_key=fairness.classification").json()
    (template,) = [t for t in templates["results"] if t["code"] == "FAIR-01"]
    criterion = qm.post(
        "/api/v1/criteria/", {"project": slug, "template": template["id"]}, format="json"
    ).json()
    plan = qm.post("/api/v1/test-plans/", {"project": slug, "name": "Release gate"}).json()
    qm.post("/api/v1/plan-checks/", {"plan": plan["id"], "criterion": criterion["id"]})
    assert qm.post(f"/api/v1/test-plans/{plan['id']}/approve/").status_code == 200


def gate(url: str, token: str, slug: str, model: Path, data: Path, *extra: str):
    command = [
        sys.executable, "-m", "qualiti_client.cli", "--url", url, "--token", token,
        "--no-progress", "gate", "--project", slug, "--plan", "Release gate",
        "--model", str(model), "--data", str(data), "--target", "repaid",
        "--sensitive", "sex", "--wait", "--poll-interval", "0.3", "--timeout", "150", *extra,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=200, check=False)


def test_the_gate_fails_a_biased_model_and_passes_the_fixed_one(
    celery_worker, live_server, tmp_path
):
    criterion_templates_sync()  # the transactional tests flush the migrated catalogue
    cast = ProjectCast()
    approved_fairness_plan(cast)
    _, token = AuthToken.objects.create(user=cast.qm)
    slug = cast.project.slug
    data = tmp_path / "eval.csv"
    demo_data.credit_applicants(1500, seed=2).to_csv(data, index=False)
    biased = model_file(tmp_path / "credit.skops", label_bias=0.35)
    junit = tmp_path / "junit.xml"

    first = gate(live_server.url, token, slug, biased, data, "--junit", str(junit))

    assert first.returncode == 1, first.stdout + first.stderr
    assert f"{live_server.url}/projects/{slug}/runs/" in first.stdout
    assert "blocking failure: fairness.classification [sex]" in first.stdout
    (failure,) = ET.parse(junit).getroot().findall(".//testcase/failure")  # noqa: S314 - ours
    assert failure.attrib["message"]
    counts = (ModelVersion.objects.count(), Dataset.objects.count())

    again = gate(live_server.url, token, slug, biased, data)

    assert again.returncode == 1, again.stdout + again.stderr
    assert (ModelVersion.objects.count(), Dataset.objects.count()) == counts
    assert again.stdout.count("reusing") == 2

    fixed = gate(live_server.url, token, slug, model_file(tmp_path / "fixed.skops", 0.0), data)

    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Verdict: passed" in fixed.stdout

    garbage = tmp_path / "garbage.skops"
    garbage.write_bytes(b"not a model at all")
    refused = gate(live_server.url, token, slug, garbage, data)

    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.startswith("qualiti: ")
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_server_stopped_mid_run_exits_3_after_the_retries(celery_worker, tmp_path):
    criterion_templates_sync()
    cast = ProjectCast()
    approved_fairness_plan(cast)
    _, token = AuthToken.objects.create(user=cast.qm)
    data = tmp_path / "eval.csv"
    demo_data.credit_applicants(1500, seed=2).to_csv(data, index=False)
    model = model_file(tmp_path / "credit.skops", label_bias=0.35)

    with web_server_process(tmp_path / "web.log") as (server, url):
        command = [
            sys.executable, "-m", "qualiti_client.cli", "--url", url, "--token", token,
            "--no-progress", "--retries", "2", "--backoff", "0.2", "gate",
            "--project", cast.project.slug, "--plan", "Release gate", "--model", str(model),
            "--data", str(data), "--target", "repaid", "--sensitive", "sex", "--wait",
            "--poll-interval", "2",
        ]  # fmt: skip
        client = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert client.stdout is not None
        for line in client.stdout:  # the run's URL is printed as soon as it is launched
            if "/runs/" in line:
                break
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        _, err = client.communicate(timeout=60)

    assert client.returncode == 3, err
    assert "could not be reached after 3 attempts" in err
