import pytest

from apps.accounts.models import Notification
from apps.evaluations.models import EvaluationRun
from apps.evaluations.services import run_create_on_upload
from tests.evaluations.factories import LaunchSetup
from tests.factories import UserFactory
from tests.projects.factories import ModelVersionFactory, client_for

pytestmark = pytest.mark.django_db


def test_any_signed_in_user_reads_the_check_catalogue():
    response = client_for(UserFactory()).get("/api/v1/checks/")

    assert response.status_code == 200
    checks = {check["key"]: check for check in response.json()}
    performance = checks["performance.classification"]
    assert performance["category"] == "performance"
    assert performance["task_types"] == ["binary", "multiclass"]
    assert performance["params_schema"]["properties"]["min_class_support"]["default"] == 30
    assert "recall" in performance["metrics"] and performance["docs"]["fix"]
    assert performance["name"] == "Classification performance"
    assert performance["metric_names"]["roc_auc"] == "ROC AUC"


def test_the_catalogue_says_what_each_check_reads():
    checks = client_for(UserFactory()).get("/api/v1/checks/").json()

    words = {"labels", "predictions", "probabilities", "reference", "training"}
    assert all(set(check["reads"]) <= words for check in checks)
    reads = {check["key"]: check["reads"] for check in checks}
    assert reads["weak_segments.discovery"] == ["labels", "predictions", "probabilities"]
    assert "labels" in reads["anomaly.residual_outliers"]
    assert reads["drift.columns"] == ["reference", "training"]


def test_a_check_is_read_by_its_key_and_an_unknown_key_is_404():
    client = client_for(UserFactory())

    assert client.get("/api/v1/checks/drift.columns/").json()["key"] == "drift.columns"
    assert client.get("/api/v1/checks/no.such/").status_code == 404


def test_run_on_upload_queues_a_run_of_the_one_approved_plan(monkeypatch):
    monkeypatch.setattr("apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: None)
    setup = LaunchSetup()
    version = ModelVersionFactory(
        project=setup.project, artifact_format="none", features=["age"], uploaded_by=setup.dev
    )

    run = run_create_on_upload(model_version_id=version.pk)

    assert (run.triggered_by, run.test_plan, run.dataset) == ("upload", setup.plan, setup.dataset)


def test_run_on_upload_without_an_evaluation_dataset_says_why_and_queues_nothing():
    setup = LaunchSetup()
    setup.dataset.delete()
    version = ModelVersionFactory(project=setup.project, uploaded_by=setup.dev)

    assert run_create_on_upload(model_version_id=version.pk) is None

    assert not EvaluationRun.objects.exists()
    notification = Notification.objects.get(user=setup.dev, kind="run_not_started")
    assert "no valid evaluation dataset" in notification.message
