import hashlib
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from apps.accounts.models import ProjectRole
from apps.projects.models import ArtifactFormat, ModelVersion
from apps.projects.services import model_version_create
from tests.factories import MembershipFactory, ProjectFactory
from tests.projects import files
from tests.projects.factories import member_client

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/model-versions/"


def version_upload(client, project, content: bytes | None, *, filename="model.skops", **fields):
    data = {"project": project.slug, "task_type": "binary", **fields}
    if content is not None:
        data["artifact"] = SimpleUploadedFile(filename, content)
    return client.post(URL, data, format="multipart")


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def assert_nothing_kept(settings, media_root: Path) -> None:
    assert not ModelVersion.objects.exists()
    assert stored_files(media_root) == []
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []


def test_a_skops_model_is_accepted_with_its_types_listed(qm, project, media_root):
    content = files.skops_bytes()

    response = version_upload(
        qm, project, content, label="baseline", features=["f1", "f2", "f3"], notes="first try"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["artifact_format"] == ArtifactFormat.SKOPS
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size_bytes"] == len(content)
    assert body["sequence"] == 1
    assert body["label"] == "baseline"
    assert body["features"] == ["f1", "f2", "f3"]
    audit = body["artifact_audit"]
    assert "sklearn.linear_model._logistic.LogisticRegression" in audit["types"]
    assert "numpy.ndarray" in audit["types"]
    assert audit["task"] == "binary" and audit["one_row"] == "ok"
    assert audit["members"] >= 2
    [stored] = stored_files(media_root)
    assert stored.read_bytes() == content


def test_an_onnx_model_is_accepted_with_its_ir_version_and_opsets(qm, project):
    response = version_upload(qm, project, files.onnx_bytes(), filename="model.onnx")

    assert response.status_code == 201, response.json()
    assert response.json()["artifact_format"] == ArtifactFormat.ONNX
    audit = response.json()["artifact_audit"]
    assert audit["ir_version"] == 8
    assert audit["opsets"] == {"ai.onnx": 13}
    assert audit["producer_name"] == "qualiti-tests"


def test_no_artifact_makes_a_predictions_only_version(qm, project, media_root):
    response = version_upload(qm, project, None, label="vendor model", task_type="regression")

    assert response.status_code == 201, response.json()
    assert response.json()["artifact_format"] == ArtifactFormat.NONE
    assert response.json()["sha256"] == ""
    assert stored_files(media_root) == []


def test_a_predictions_only_version_may_be_sent_as_json(qm, project):
    response = qm.post(
        URL,
        {"project": project.slug, "task_type": "multiclass", "features": ["a", "b"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["features"] == ["a", "b"]
    assert response.json()["label"] == "v1"


def test_a_pickle_renamed_skops_is_refused_naming_the_conversions(
    qm, project, media_root, settings
):
    response = version_upload(qm, project, files.pickle_bytes(), filename="model.skops")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "Python pickle" in detail
    assert "skops.io.dump" in detail
    assert "skl2onnx" in detail
    assert response.json()["field"] == "artifact"
    assert_nothing_kept(settings, media_root)


@pytest.mark.parametrize(
    "compress", [0, 3, ("gzip", 3), ("bz2", 3), ("lzma", 3), ("xz", 3)], ids=str
)
def test_a_joblib_file_renamed_onnx_is_refused_naming_the_conversions(
    qm, project, media_root, settings, compress
):
    response = version_upload(qm, project, files.joblib_bytes(compress), filename="model.onnx")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "pickle" in detail
    assert "skops.io.dump" in detail
    assert "skl2onnx" in detail
    assert_nothing_kept(settings, media_root)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (files.zip_bomb_bytes(), "a zip bomb"),
        (files.zip_without_schema_bytes(), "no schema.json"),
        (b"", "The model file is empty."),
        (files.binary_garbage_bytes(), "not a model Qualiti can load"),
        (files.good_csv_bytes(), "This file is a text file, not a model"),
        (files.onnx_bytes()[:-5], "not a model Qualiti can load"),
    ],
    ids=["zip-bomb", "zip-without-schema", "empty", "binary-garbage", "csv", "truncated-onnx"],
)
def test_a_bad_artifact_is_refused_with_a_message_and_nothing_kept(
    qm, project, media_root, settings, content, message
):
    response = version_upload(qm, project, content, filename="model.skops")

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert_nothing_kept(settings, media_root)


def test_a_skops_file_with_too_many_members_is_refused(qm, project, media_root, settings):
    settings.QUALITI_SKOPS_MAX_MEMBERS = 10

    response = version_upload(qm, project, files.many_members_zip_bytes(20))

    assert response.status_code == 400
    assert "21 members; at most 10" in response.json()["detail"]
    assert_nothing_kept(settings, media_root)


def test_a_skops_file_unpacking_past_the_cap_is_refused(qm, project, media_root, settings):
    settings.QUALITI_SKOPS_MAX_UNCOMPRESSED_BYTES = 1000

    response = version_upload(qm, project, files.skops_bytes())

    assert response.status_code == 400
    assert "at most 1000 are accepted" in response.json()["detail"]
    assert_nothing_kept(settings, media_root)


def test_an_unknown_task_type_is_refused(qm, project, media_root, settings):
    response = version_upload(qm, project, files.skops_bytes(), task_type="ranking")

    assert response.status_code == 400
    assert "task_type" in response.json()
    assert_nothing_kept(settings, media_root)


def test_versions_are_numbered_1_2_3_in_each_project(qm, project):
    other = ProjectFactory()
    other_client, _ = member_client(other, ProjectRole.QUALITY_MANAGER)

    numbers = [version_upload(qm, project, None).json()["sequence"] for _ in range(3)]
    other_number = version_upload(other_client, other, None).json()["sequence"]

    assert numbers == [1, 2, 3]
    assert other_number == 1
    assert list(project.model_versions.values_list("label", flat=True)) == ["v3", "v2", "v1"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_to_one_project_get_distinct_numbers():
    project = ProjectFactory()
    user = MembershipFactory(project=project, role=ProjectRole.DEVELOPER).user
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def upload() -> None:
        try:
            start.wait()
            model_version_create(
                project=project, user=user, uploaded_file=None, label="", task_type="binary"
            )
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(project.model_versions.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_a_developer_may_upload_a_model_version(project):
    developer, user = member_client(project, ProjectRole.DEVELOPER)

    response = version_upload(developer, project, files.skops_bytes())

    assert response.status_code == 201, response.json()
    assert response.json()["uploaded_by"] == user.username


def test_a_viewer_cannot_upload_a_model_version(project, media_root, settings):
    viewer, _ = member_client(project, ProjectRole.VIEWER)

    response = version_upload(viewer, project, files.skops_bytes())

    assert response.status_code == 403
    assert_nothing_kept(settings, media_root)


def test_a_non_member_uploading_gets_404(project, media_root, settings):
    stranger, _ = member_client(ProjectFactory(), ProjectRole.QUALITY_MANAGER)

    response = version_upload(stranger, project, files.skops_bytes())

    assert response.status_code == 404
    assert_nothing_kept(settings, media_root)


def test_a_model_fitted_on_named_columns_names_its_features_itself(qm, project, media_root):
    import numpy as np
    import pandas as pd
    import skops.io
    from sklearn.linear_model import LogisticRegression

    frame = pd.DataFrame(np.random.default_rng(1).normal(size=(40, 2)), columns=["age", "income"])
    model = LogisticRegression().fit(frame, (frame["age"] > 0).astype(int))

    named = version_upload(qm, project, skops.io.dumps(model), label="named")
    given = version_upload(qm, project, skops.io.dumps(model), label="given", features=["age"])
    unnamed = version_upload(qm, project, files.skops_bytes(), label="unnamed")

    assert named.status_code == 201, named.json()
    assert named.json()["features"] == ["age", "income"]
    assert named.json()["artifact_audit"]["feature_names"] == ["age", "income"]
    assert given.json()["features"] == ["age"]  # what the uploader says wins
    assert unnamed.json()["features"] == []
