"""Dataset validation through the broker and a real Celery worker process.

The files are stored in this session's media folder, which the worker shares.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import ProjectRole
from apps.projects.models import Dataset, ValidationStatus
from tests.factories import ProjectFactory
from tests.projects import files
from tests.projects.factories import member_client

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def media_root():
    """The worker process reads the session's media folder, not a per-test one."""
    return None


def upload(content: bytes, filename: str, **fields) -> Dataset:
    project = ProjectFactory()
    client, _ = member_client(project, ProjectRole.QUALITY_MANAGER)
    data = {
        "project": project.slug,
        "name": filename,
        "role": "evaluation",
        "file": SimpleUploadedFile(filename, content),
        **fields,
    }
    response = client.post("/api/v1/datasets/", data, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["validation_status"] == ValidationStatus.VALIDATING
    return Dataset.objects.get(pk=response.json()["id"])


def validated(dataset: Dataset, timeout: float = 60) -> Dataset:
    """Poll the row until the worker has moved it out of "validating"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dataset.refresh_from_db()
        if dataset.validation_status != ValidationStatus.VALIDATING:
            return dataset
        time.sleep(0.2)
    raise AssertionError(f"dataset {dataset.pk} still validating after {timeout}s")


def test_the_worker_reads_each_upload_and_marks_it_valid_or_invalid(celery_worker):
    # One test for all five files keeps the round trips through the worker few.
    good_csv = upload(files.good_csv_bytes(rows=500), "good.csv", target_column="approved")
    good_parquet = upload(files.parquet_bytes(), "good.parquet", target_column="approved")
    ragged_csv = upload(files.ragged_csv_bytes(), "ragged.csv")
    # Past what the upload sniffs: only the full read finds the byte that is not UTF-8.
    latin1 = upload(files.late_bad_utf8_csv_bytes(), "latin1.csv")
    # Cut short inside its second row group, the footer whole: only the full read finds
    # it. (A Parquet cut before its footer is refused at upload: test_uploads_datasets.)
    damaged_parquet = upload(
        files.parquet_with_damaged_row_group_bytes(column="income"), "damaged.parquet"
    )

    good_csv = validated(good_csv)
    assert good_csv.validation_status == ValidationStatus.VALID
    assert (good_csv.row_count, good_csv.column_count) == (500, 6)
    assert good_csv.schema["age"] == "integer"
    assert good_csv.schema["signup"] == "datetime"

    good_parquet = validated(good_parquet)
    assert good_parquet.validation_status == ValidationStatus.VALID
    assert (good_parquet.row_count, good_parquet.column_count) == (3000, 5)
    assert good_parquet.schema["gender"] == "categorical"

    ragged_csv = validated(ragged_csv)
    assert ragged_csv.validation_status == ValidationStatus.INVALID
    assert "2 broken rows; the first at row 3" in ragged_csv.validation_error
    assert [problem["row"] for problem in ragged_csv.validation_problems] == [3, 5]
    assert ragged_csv.validation_problems[0]["problem"] == "expected 3 fields, found 2"

    latin1 = validated(latin1)
    assert latin1.validation_status == ValidationStatus.INVALID
    assert "row 15002" in latin1.validation_error and "UTF-8" in latin1.validation_error

    damaged_parquet = validated(damaged_parquet)
    assert damaged_parquet.validation_status == ValidationStatus.INVALID
    [problem] = damaged_parquet.validation_problems
    assert (problem["row"], problem["column"]) == (1001, "income")
    assert "row group 2 (rows 1001 to 2000) cannot be read" in problem["problem"]
