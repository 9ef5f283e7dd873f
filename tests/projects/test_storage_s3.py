"""Uploads kept in an S3-compatible bucket (moto's server, a real process): what the API
stores lands in the bucket, downloads stream from it through the permission-checked
views, a large upload goes up in parts without being held in memory, and a file changed
in the bucket is caught by its size and sha256 when a worker reads it."""

import hashlib
import socket
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from apps.projects.models import Dataset, ModelVersion
from apps.projects.services import dataset_validate
from tests.projects import files
from tests.projects.factories import outsider_client
from tests.projects.test_uploads_access import downloaded, uploaded_dataset, uploaded_version

pytest_plugins = ["tests.support.s3"]  # the S3 server and bucket fixtures
pytestmark = [pytest.mark.django_db]


def test_an_api_upload_lands_in_the_bucket_with_its_sha256(qm, project, s3_storage, media_root):
    content = files.good_csv_bytes()
    model = files.skops_bytes()

    dataset = Dataset.objects.get(pk=uploaded_dataset(qm, project, content)["id"])
    version = ModelVersion.objects.get(pk=uploaded_version(qm, project, model)["id"])

    keys = s3_storage.object_keys()
    assert keys == sorted([f"qualiti/{dataset.file.name}", f"qualiti/{version.artifact.name}"])
    assert s3_storage.read(f"qualiti/{dataset.file.name}") == content
    assert s3_storage.read(f"qualiti/{version.artifact.name}") == model
    assert dataset.sha256 == hashlib.sha256(content).hexdigest()
    assert version.sha256 == hashlib.sha256(model).hexdigest()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))  # nothing local


def test_a_download_streams_from_the_bucket_and_an_outsider_gets_404(qm, project, s3_storage):
    content = files.good_csv_bytes(rows=30_000)  # 870 KiB: several blocks
    model = files.skops_bytes()
    dataset_id = uploaded_dataset(qm, project, content)["id"]
    version_id = uploaded_version(qm, project, model)["id"]

    data_answer = qm.get(f"/api/v1/datasets/{dataset_id}/download/")
    model_answer = qm.get(f"/api/v1/model-versions/{version_id}/download/")

    assert data_answer.status_code == 200
    assert data_answer["Content-Length"] == str(len(content))
    blocks = list(data_answer.streaming_content)
    assert b"".join(blocks) == content and len(blocks) > 1  # sent as it is read
    assert downloaded(model_answer) == model
    assert "X-Amz-Signature" not in data_answer.get("Location", "")  # bytes, not a redirect
    outsider, _ = outsider_client()
    assert outsider.get(f"/api/v1/datasets/{dataset_id}/download/").status_code == 404
    assert outsider.get(f"/api/v1/model-versions/{version_id}/download/").status_code == 404


def test_a_file_missing_from_the_bucket_answers_404_not_500(qm, project, s3_storage):
    dataset_id = uploaded_dataset(qm, project, files.good_csv_bytes())["id"]
    (key,) = s3_storage.object_keys()
    s3_storage.client.delete_object(Bucket=s3_storage.name, Key=key)

    answer = qm.get(f"/api/v1/datasets/{dataset_id}/download/")

    assert answer.status_code == 404
    assert "missing from the file store" in answer.json()["detail"]


def _upload_peak_memory(size: int) -> int:
    """Peak Python memory while the default storage saves an upload of `size` bytes."""
    upload = TemporaryUploadedFile("big.bin", "application/octet-stream", size, None)
    block = bytes(range(256)) * 4096  # 1 MiB
    for _ in range(size // len(block)):
        upload.write(block)
    upload.seek(0)
    tracemalloc.start()
    try:
        default_storage.save(f"big/{size}.bin", upload)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        upload.close()


def test_a_large_upload_goes_up_in_parts_never_whole_in_memory(s3_storage):
    mib = 1024**2
    small, large = _upload_peak_memory(40 * mib), _upload_peak_memory(120 * mib)

    (head,) = [
        s3_storage.client.head_object(Bucket=s3_storage.name, Key=key)
        for key in s3_storage.object_keys()
        if key.endswith(f"{120 * mib}.bin")
    ]
    assert head["ContentLength"] == 120 * mib
    assert head["ETag"].strip('"').endswith("-15")  # 15 parts of 8 MiB
    # A few parts in memory at once, whatever the size: three times the file, same peak.
    assert large < small + 8 * mib, f"{small / mib:.0f} MiB, then {large / mib:.0f} MiB"
    assert large < 64 * mib


def test_a_dataset_changed_in_the_bucket_is_refused_by_its_validation(
    qm, project, s3_storage, settings
):
    settings.QUALITI_WORK_DIR = tempfile.mkdtemp(dir=settings.TEST_DIR)
    content = files.good_csv_bytes()
    dataset_id = uploaded_dataset(qm, project, content)["id"]
    (key,) = s3_storage.object_keys()
    tampered = content[:50] + (b"8" if content[50:51] == b"9" else b"9") + content[51:]
    s3_storage.write(key, tampered)  # the same length, another byte

    dataset = dataset_validate(dataset_id=dataset_id)

    assert dataset.validation_status == "invalid"
    assert "is not the one uploaded" in dataset.validation_error
    assert hashlib.sha256(content).hexdigest() in dataset.validation_error


def test_a_dataset_read_from_the_bucket_is_validated_in_the_workers_folder(
    qm, project, s3_storage, settings
):
    work = tempfile.mkdtemp(dir=settings.TEST_DIR)
    settings.QUALITI_WORK_DIR = work
    dataset_id = uploaded_dataset(qm, project, files.good_csv_bytes())["id"]

    dataset = dataset_validate(dataset_id=dataset_id)

    assert dataset.validation_status == "valid", dataset.validation_error
    assert dataset.row_count == 200
    assert not any(Path(work).iterdir())  # its copy was removed


@pytest.fixture
def store_down(s3_storage, settings):
    """The bucket's settings, but nothing listening where the store should be."""

    def stop() -> None:
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        backend = s3_storage.storage_backend()
        backend["OPTIONS"]["endpoint_url"] = f"http://127.0.0.1:{port}"
        settings.STORAGES = {**settings.STORAGES, "default": backend}

    return stop


def test_an_upload_while_the_store_is_down_is_503_and_keeps_no_row(qm, project, store_down):
    store_down()

    answer = qm.post(
        "/api/v1/datasets/",
        {"project": project.slug, "name": "data", "role": "evaluation",
         "file": SimpleUploadedFile("data.csv", files.good_csv_bytes())},
        format="multipart",
    )  # fmt: skip

    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("The file store could not store the upload")
    assert not Dataset.objects.exists()


def test_a_download_while_the_store_is_down_is_503_not_500(qm, project, s3_storage, store_down):
    dataset_id = uploaded_dataset(qm, project, files.good_csv_bytes())["id"]
    store_down()

    answer = qm.get(f"/api/v1/datasets/{dataset_id}/download/")

    assert answer.status_code == 503
    assert answer.json()["code"] == "storage_unavailable"
