"""A run whose model and data are kept in an S3-compatible bucket (moto's server, a real
process), executed in this process as a worker would: the files are copied into the
worker's own folder and checked against the sha256 recorded at upload, so bytes changed in
the bucket fail the run with a message that says so."""

import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import skops.io
from django.core.files.base import ContentFile
from sklearn.linear_model import LogisticRegression

from apps.evaluations import engine
from apps.evaluations.models import EvaluationRun
from apps.evaluations.services import run_claim, run_execute
from apps.projects.services import dataset_create, dataset_validate, model_version_create
from tests.evaluations.factories import LaunchSetup, csv_bytes

pytest_plugins = ["tests.support.s3"]  # the S3 server and bucket fixtures
pytestmark = pytest.mark.django_db


def model_bytes() -> bytes:
    data = pd.read_csv(io.BytesIO(csv_bytes()))
    model = LogisticRegression().fit(data[["age", "income"]], data["repaid"])
    return skops.io.dumps(model)


@pytest.fixture
def work_dir(settings) -> Path:
    settings.QUALITI_WORK_DIR = tempfile.mkdtemp(dir=settings.TEST_DIR)
    return Path(settings.QUALITI_WORK_DIR)


@pytest.fixture
def stored_run(s3_storage, work_dir, monkeypatch) -> EvaluationRun:
    """A run of an approved plan on a skops model and a dataset uploaded to the bucket."""
    monkeypatch.setattr("apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: None)
    setup = LaunchSetup()
    version = model_version_create(
        project=setup.project,
        user=setup.qm,
        uploaded_file=ContentFile(model_bytes(), name="credit.skops"),
        label="",
        features=["age", "income"],
    )
    dataset = dataset_create(
        project=setup.project,
        user=setup.qm,
        uploaded_file=ContentFile(csv_bytes(), name="eval.csv"),
        name="eval",
        role="evaluation",
        target_column="repaid",
    )
    assert dataset_validate(dataset_id=dataset.pk).validation_status == "valid"
    return EvaluationRun.objects.create(
        project=setup.project, test_plan=setup.plan, model_version=version, dataset=dataset
    )


def test_a_run_reads_its_files_from_the_bucket_into_the_workers_folder(
    stored_run, work_dir, monkeypatch
):
    read_from = []
    read_table = engine.read_table

    def recording_read_table(path, **kwargs):
        read_from.append(Path(path))
        assert Path(path).read_bytes() == csv_bytes()  # the copy, whole, while it is read
        return read_table(path, **kwargs)

    monkeypatch.setattr(engine, "read_table", recording_read_table)

    run = run_execute(run=run_claim(run_id=stored_run.pk))

    assert run.status == "succeeded", run.error
    assert run.verdict in ("pass", "pass_with_warnings", "fail")
    (path,) = read_from
    assert path.parent.parent == work_dir and path.parent.name.startswith("qualiti-run-")
    assert not any(work_dir.iterdir())  # the copies are gone once the run ends


@pytest.mark.parametrize("which", ["model", "dataset"])
def test_a_file_changed_in_the_bucket_fails_the_run_naming_the_mismatch(
    stored_run, s3_storage, work_dir, which
):
    field_file = stored_run.model_version.artifact if which == "model" else stored_run.dataset.file
    recorded = stored_run.model_version if which == "model" else stored_run.dataset
    s3_storage.write(f"qualiti/{field_file.name}", b"age,income,repaid\n1,2,0\n")

    run = run_execute(run=run_claim(run_id=stored_run.pk))

    assert run.status == "failed"
    assert "is not the one uploaded" in run.error
    assert f"where the upload recorded {recorded.size_bytes} bytes" in run.error
    assert f"sha256 {recorded.sha256}" in run.error
    assert "Traceback" not in run.error
    assert not any(work_dir.iterdir())


def test_a_file_missing_from_the_bucket_fails_the_run_saying_so(stored_run, s3_storage):
    s3_storage.client.delete_object(
        Bucket=s3_storage.name, Key=f"qualiti/{stored_run.dataset.file.name}"
    )

    run = run_execute(run=run_claim(run_id=stored_run.pk))

    assert run.status == "failed"
    assert "is missing from the file store" in run.error
