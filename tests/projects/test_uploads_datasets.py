import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import ProjectRole
from apps.audit.models import StatusChange
from apps.projects.models import Dataset, DatasetFormat, ValidationStatus
from tests.factories import ProjectFactory
from tests.projects import files
from tests.projects.factories import ModelVersionFactory, member_client

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/datasets/"


def dataset_upload(client, project, content: bytes, *, filename="data.csv", **fields):
    data = {
        "project": project.slug,
        "name": "Holdout 2024",
        "role": "evaluation",
        "file": SimpleUploadedFile(filename, content),
        **fields,
    }
    return client.post(URL, data, format="multipart")


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def assert_nothing_kept(settings, media_root: Path) -> None:
    assert not Dataset.objects.exists()
    assert stored_files(media_root) == []
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []


def test_a_good_csv_is_stored_as_validating_with_its_header_and_hash(qm, project, media_root):
    content = files.good_csv_bytes()

    response = dataset_upload(
        qm, project, content, target_column="approved", sensitive_columns=["gender", "age"]
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["validation_status"] == ValidationStatus.VALIDATING
    assert body["file_format"] == DatasetFormat.CSV
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size_bytes"] == len(content)
    assert body["columns"] == files.GOOD_COLUMNS
    assert body["column_count"] == 6
    assert body["sensitive_columns"] == ["gender", "age"]
    assert body["project"] == project.slug
    [stored] = stored_files(media_root)
    assert stored.read_bytes() == content
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status) == ("", ValidationStatus.VALIDATING)


def test_a_parquet_file_is_known_by_content_even_named_csv(qm, project):
    response = dataset_upload(
        qm, project, files.parquet_bytes(), filename="looks-like.csv", target_column="approved"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["file_format"] == DatasetFormat.PARQUET
    assert response.json()["columns"] == ["age", "income", "gender", "approved", "comment"]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (files.binary_garbage_bytes(), "garbage.csv", "neither CSV text nor Parquet"),
        (files.truncated_parquet_bytes(), "cut.parquet", "it is truncated"),
        (files.pickle_bytes(), "frame.csv", "does not accept pickles"),
        (files.joblib_bytes(3), "frame.parquet", "does not accept pickles"),
        (files.zip_without_schema_bytes(), "book.csv", "zip archive"),
        (b"\xff\xfea\x00,\x00b\x00\n\x00", "excel.csv", "UTF-16"),
        (b"a,b,a\n1,2,3\n", "twice.csv", "'a' appears more than once"),
        (b"\n1,2\n", "no-header.csv", "header) is empty"),
    ],
    ids=[
        "empty",
        "binary-garbage",
        "truncated-parquet",
        "pickle",
        "joblib",
        "zip",
        "utf16",
        "repeated-column",
        "blank-header",
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_kept(
    qm, project, media_root, settings, content, filename, message
):
    response = dataset_upload(qm, project, content, filename=filename)

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert response.json()["field"] == "file"
    assert_nothing_kept(settings, media_root)


def test_a_pickle_refusal_says_how_to_save_csv_or_parquet(qm, project):
    response = dataset_upload(qm, project, files.pickle_bytes(), filename="frame.pkl")

    assert "to_csv" in response.json()["detail"]
    assert "to_parquet" in response.json()["detail"]


def test_a_named_column_missing_from_the_header_is_refused_naming_it(
    qm, project, media_root, settings
):
    response = dataset_upload(
        qm, project, files.good_csv_bytes(), target_column="aproved", sensitive_columns=["sex"]
    )

    assert response.status_code == 400
    body = response.json()
    assert "no column 'aproved' (target_column) (did you mean 'approved'?)" in body["detail"]
    assert "'sex' (sensitive_columns)" in body["detail"]
    assert body["field"] == "target_column"
    assert body["missing_columns"] == ["aproved", "sex"]
    assert_nothing_kept(settings, media_root)


def test_a_named_column_missing_from_a_parquet_schema_is_refused(qm, project):
    response = dataset_upload(qm, project, files.parquet_bytes(), target_column="label")

    assert response.status_code == 400
    assert "no column 'label'" in response.json()["detail"]


def test_prediction_columns_name_the_model_version_that_made_them(qm, project, media_root):
    version = ModelVersionFactory(project=project)
    csv = b"x,y,pred,p1\n1,0,0,0.2\n"

    without = dataset_upload(qm, project, csv, target_column="y", prediction_column="pred")
    with_version = dataset_upload(
        qm,
        project,
        csv,
        target_column="y",
        prediction_column="pred",
        probability_columns=["p1"],
        model_version=version.pk,
    )

    assert without.status_code == 400
    assert "names the model version" in without.json()["detail"]
    assert with_version.status_code == 201, with_version.json()
    assert with_version.json()["model_version"] == version.pk
    assert with_version.json()["probability_columns"] == ["p1"]


def test_a_model_version_of_another_project_is_refused(qm, project, media_root, settings):
    other_version = ModelVersionFactory()

    response = dataset_upload(
        qm, project, b"x,pred\n1,0\n", prediction_column="pred", model_version=other_version.pk
    )

    assert response.status_code == 400
    assert "No model version" in response.json()["model_version"][0]
    assert_nothing_kept(settings, media_root)


def test_the_target_cannot_also_be_a_sensitive_column(qm, project, media_root, settings):
    response = dataset_upload(
        qm, project, files.good_csv_bytes(), target_column="gender", sensitive_columns=["gender"]
    )

    assert response.status_code == 400
    assert "'gender' cannot be both" in response.json()["detail"]
    assert_nothing_kept(settings, media_root)


def test_missing_fields_answer_400_naming_them(qm, project, media_root, settings):
    response = qm.post(URL, {"project": project.slug, "role": "train"}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()) == {"name", "file"}
    assert_nothing_kept(settings, media_root)


def test_an_unknown_role_is_refused(qm, project):
    response = dataset_upload(qm, project, files.good_csv_bytes(), role="holdout")

    assert response.status_code == 400
    assert "role" in response.json()


def test_a_developer_uploads_training_data_but_not_evaluation_data(project, media_root):
    developer, _ = member_client(project, ProjectRole.DEVELOPER)

    train = dataset_upload(developer, project, files.good_csv_bytes(), role="train")
    evaluation = dataset_upload(developer, project, files.good_csv_bytes(), role="evaluation")

    assert train.status_code == 201, train.json()
    assert evaluation.status_code == 403
    assert Dataset.objects.get().role == "train"


def test_a_viewer_cannot_upload(project, media_root, settings):
    viewer, _ = member_client(project, ProjectRole.VIEWER)

    response = dataset_upload(viewer, project, files.good_csv_bytes(), role="train")

    assert response.status_code == 403
    assert_nothing_kept(settings, media_root)


def test_an_upload_to_a_project_the_user_cannot_see_answers_404(project, media_root, settings):
    stranger, _ = member_client(ProjectFactory(), ProjectRole.QUALITY_MANAGER)

    invisible = dataset_upload(stranger, project, files.good_csv_bytes())
    unknown = stranger.post(
        URL,
        {
            "project": "no-such-project",
            "name": "x",
            "role": "train",
            "file": SimpleUploadedFile("a.csv", b"a\n1\n"),
        },
        format="multipart",
    )

    assert invisible.status_code == 404
    assert unknown.status_code == 404
    assert_nothing_kept(settings, media_root)
