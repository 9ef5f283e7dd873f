import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient

from apps.accounts.models import ProjectRole
from apps.projects.models import Dataset, ModelVersion
from apps.projects.uploads.handlers import HashingUploadHandler
from qualiti.errors import TooLarge
from tests.projects import files
from tests.projects.factories import member_client

pytestmark = [pytest.mark.django_db]


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def __init__(self):
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        raise AssertionError("the body was read")

    readline = read


def nothing_kept(settings, media_root: Path) -> bool:
    stored = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    temporary = list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir())
    return not stored and not temporary and not Dataset.objects.exists()


@pytest.mark.parametrize("url", ["/api/v1/datasets/", "/api/v1/model-versions/"])
def test_a_body_over_the_limit_answers_413_from_its_content_length_alone(project, settings, url):
    settings.QUALITI_MAX_UPLOAD_BYTES = 1000
    client, _ = member_client(project, ProjectRole.QUALITY_MANAGER)
    body = UnreadableBody()

    response = client.generic(
        "POST",
        url,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH="1001",
        **{"wsgi.input": body},
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "limited to 1000" in response.json()["detail"]
    assert response.json()["limit_bytes"] == 1000
    assert body.reads == 0


def test_the_413_comes_before_authentication_reads_the_body_for_its_csrf_check(project, settings):
    # Session authentication checks CSRF, and Django's check reads the form body for the
    # token: the guard must answer first.
    settings.QUALITI_MAX_UPLOAD_BYTES = 1000
    client = APIClient(enforce_csrf_checks=True)
    _, user = member_client(project, ProjectRole.QUALITY_MANAGER)
    client.force_login(user)
    body = UnreadableBody()

    response = client.generic(
        "POST",
        "/api/v1/datasets/",
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH="5000",
        **{"wsgi.input": body},
    )

    assert response.status_code == 413
    assert body.reads == 0


def test_a_real_upload_over_the_limit_is_refused_and_nothing_kept(project, settings, media_root):
    settings.QUALITI_MAX_UPLOAD_BYTES = 1000
    client, _ = member_client(project, ProjectRole.QUALITY_MANAGER)
    data = {
        "project": project.slug,
        "name": "big",
        "role": "train",
        "file": SimpleUploadedFile("big.csv", files.good_csv_bytes(rows=100)),
    }

    response = client.post("/api/v1/datasets/", data, format="multipart")

    assert response.status_code == 413
    assert nothing_kept(settings, media_root)


def test_the_limit_is_on_the_body_size_to_the_byte(project, settings):
    client, _ = member_client(project, ProjectRole.QUALITY_MANAGER)
    fields = {"project": project.slug, "name": "small", "role": "train"}

    def upload():
        return {**fields, "file": SimpleUploadedFile("s.csv", b"a,b\n1,2\n")}

    body_size = len(encode_multipart(BOUNDARY, upload()))  # what the client sends

    settings.QUALITI_MAX_UPLOAD_BYTES = body_size - 1
    over = client.post("/api/v1/datasets/", upload(), format="multipart")
    settings.QUALITI_MAX_UPLOAD_BYTES = body_size
    at = client.post("/api/v1/datasets/", upload(), format="multipart")

    assert over.status_code == 413
    assert at.status_code == 201, at.json()


def test_a_chunked_body_without_a_length_answers_411(project):
    client, _ = member_client(project, ProjectRole.QUALITY_MANAGER)

    response = client.generic(
        "POST",
        "/api/v1/datasets/",
        content_type=MULTIPART_CONTENT,
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": UnreadableBody()},
    )

    assert response.status_code == 411
    assert "Content-Length" in response.json()["detail"]


def test_a_json_body_is_held_to_djangos_in_memory_limit(project, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client, _ = member_client(project, ProjectRole.QUALITY_MANAGER)

    response = client.post(
        "/api/v1/model-versions/",
        {"project": project.slug, "task_type": "binary", "notes": "x" * 200},
        format="json",
    )

    assert response.status_code == 413
    assert not ModelVersion.objects.exists()


def test_the_sha256_is_the_one_computed_while_streaming(project, monkeypatch):
    # Were the service to hash the file again, this stand-in would fail the upload.
    class NoHashing:
        def sha256(self):
            raise AssertionError("hashed after the upload")

    monkeypatch.setattr("apps.projects.services.uploads.hashlib", NoHashing())
    client, _ = member_client(project, ProjectRole.QUALITY_MANAGER)
    content = files.skops_bytes()

    response = client.post(
        "/api/v1/model-versions/",
        {
            "project": project.slug,
            "task_type": "binary",
            "artifact": SimpleUploadedFile("m.skops", content),
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()


def test_the_handler_hashes_across_chunks_and_keeps_nothing_in_memory(settings):
    handler = HashingUploadHandler(limit=100)
    handler.new_file("file", "data.csv", "text/csv", None)
    for chunk in (b"a,b\n", b"1,2\n", b"3,4\n"):
        handler.receive_data_chunk(chunk, 0)

    uploaded = handler.file_complete(12)

    assert uploaded.sha256 == hashlib.sha256(b"a,b\n1,2\n3,4\n").hexdigest()
    assert Path(uploaded.temporary_file_path()).read_bytes() == b"a,b\n1,2\n3,4\n"
    uploaded.close()


def test_the_handler_stops_a_stream_past_the_limit_and_removes_its_file():
    handler = HashingUploadHandler(limit=10)
    handler.new_file("file", "data.csv", "text/csv", None)
    handler.receive_data_chunk(b"12345678", 0)
    temporary = Path(handler.file.temporary_file_path())

    with pytest.raises(TooLarge):
        handler.receive_data_chunk(b"12345678", 8)

    assert not temporary.exists()
