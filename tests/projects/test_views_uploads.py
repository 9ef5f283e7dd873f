"""The uploads pages: the lists, the two upload forms, the upload detail pages and the
validation fragment, with real model files and CSV datasets."""

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.projects.models import Dataset, DatasetRole, ModelVersion, ValidationStatus
from apps.projects.services import dataset_validate
from tests.findings.factories import ProjectCast
from tests.projects import files
from tests.projects.factories import DatasetFactory, ModelVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return ProjectCast()


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(cast, name: str, *args) -> str:
    return reverse(name, args=[cast.project.slug, *args])


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def model_upload(client, cast, content: bytes | None, filename="model.skops", **fields):
    data = {"label": "retrained", "task_type": "binary", "features": "a, b\nc", **fields}
    if content is not None:
        data["artifact"] = SimpleUploadedFile(filename, content)
    return client.post(url(cast, "model-version-upload"), data)


def dataset_upload(client, cast, content: bytes, filename="data.csv", **fields):
    data = {
        "name": "Holdout 2024",
        "role": "evaluation",
        "target_column": "approved",
        "sensitive_columns": "gender, age",
        "file": SimpleUploadedFile(filename, content),
        **fields,
    }
    return client.post(url(cast, "dataset-upload"), data)


# --- the list page ------------------------------------------------------------------------


def test_the_page_lists_versions_and_datasets_in_bounded_queries(
    cast, django_assert_max_num_queries
):
    for _ in range(5):
        ModelVersionFactory(project=cast.project, uploaded_by=cast.dev)
        version = ModelVersionFactory(project=cast.project, uploaded_by=cast.qm)
        DatasetFactory(project=cast.project, uploaded_by=cast.qm, model_version=version)
    invalid = DatasetFactory(
        project=cast.project,
        name="broken rows",
        validation_status=ValidationStatus.INVALID,
        validation_error="2 broken rows; the first: row 3 has 2 fields, 3 expected.",
    )
    client = client_of(cast.qm)

    with django_assert_max_num_queries(12):
        response = client.get(url(cast, "uploads"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(">v") >= 10 and invalid.name in page
    assert "row 3 has 2 fields" in page  # validation errors are shown in the list
    assert 'aria-label="Upload model version"' in page
    assert 'aria-label="Upload dataset"' in page
    assert 'aria-label="Upload progress"' in page
    assert response.context["tab"] == "uploads"


def test_an_empty_project_shows_empty_states(cast):
    page = client_of(cast.qm).get(url(cast, "uploads")).content.decode()

    assert "No model version yet." in page
    assert "No dataset yet." in page


def test_a_viewer_sees_the_lists_without_the_forms(cast):
    ModelVersionFactory(project=cast.project)

    response = client_of(cast.viewer).get(url(cast, "uploads"))

    assert response.status_code == 200
    assert "Upload model version" not in response.content.decode()
    assert "Upload dataset" not in response.content.decode()


def test_a_developer_may_choose_only_the_training_role(cast):
    response = client_of(cast.dev).get(url(cast, "uploads"))

    assert [value for value, _ in response.context["dataset_form"].fields["role"].choices] == [
        DatasetRole.TRAIN
    ]


def test_the_pages_are_404_for_an_outsider(cast):
    version = ModelVersionFactory(project=cast.project)
    dataset = DatasetFactory(project=cast.project)
    client = client_of(cast.outsider)

    for page in (
        url(cast, "uploads"),
        url(cast, "model-version-page", version.pk),
        url(cast, "dataset-page", dataset.pk),
        url(cast, "dataset-status", dataset.pk),
    ):
        assert client.get(page).status_code == 404, page
    assert model_upload(client, cast, files.skops_bytes()).status_code == 404
    assert dataset_upload(client, cast, files.good_csv_bytes()).status_code == 404
    assert not ModelVersion.objects.exclude(pk=version.pk).exists()


def test_an_upload_of_another_project_is_404(cast):
    other = DatasetFactory()  # in a project of its own

    response = client_of(cast.qm).get(url(cast, "dataset-page", other.pk))

    assert response.status_code == 404


# --- model versions -----------------------------------------------------------------------


def test_a_skops_model_is_stored_and_its_page_shows_what_was_read(cast, media_root):
    client = client_of(cast.dev)

    response = model_upload(client, cast, files.skops_bytes())

    version = ModelVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(cast, "model-version-page", version.pk)
    assert (version.sequence, version.label, version.artifact_format) == (1, "retrained", "skops")
    assert version.features == ["a", "b", "c"]
    assert version.uploaded_by == cast.dev
    assert len(stored_files(media_root)) == 1
    assert "Model version 1 uploaded." in str(next(iter(get_messages(response.wsgi_request))))

    page = client.get(response["Location"]).content.decode()
    assert "sklearn.linear_model._logistic.LogisticRegression" in page
    assert "<code>a</code>" in page and "<code>c</code>" in page
    assert version.sha256 in page
    assert "Launch a run on this version" in page


def test_the_page_warns_only_of_types_a_run_would_refuse(cast):
    audit = {
        "format": "skops",
        "types": ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor", "math.sqrt"],
        "untrusted_types": [
            "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
            "math.sqrt",
        ],
    }
    version = ModelVersionFactory(project=cast.project, artifact_audit=audit)

    page = client_of(cast.qm).get(url(cast, "model-version-page", version.pk)).content.decode()

    warning = page[page.index("Types outside the trusted list") :].split("</p>")[0]
    assert "math.sqrt" in warning
    assert "TreePredictor" not in warning


def test_an_onnx_model_shows_its_operator_sets(cast):
    client = client_of(cast.qm)

    response = model_upload(client, cast, files.onnx_bytes(), filename="model.onnx")

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "ONNX IR version" in page and "qualiti-tests" in page


def test_no_file_makes_a_predictions_only_version(cast):
    response = model_upload(client_of(cast.qm), cast, None, label="")

    assert response.status_code == 302
    version = ModelVersion.objects.get()
    assert (version.label, version.artifact_format) == ("v1", "none")


def test_a_pickle_is_refused_inline_and_nothing_is_kept(cast, media_root):
    response = model_upload(client_of(cast.qm), cast, files.pickle_bytes(), filename="model.pkl")

    assert response.status_code == 400
    assert "does not accept pickles" in response.context["model_form"].errors["artifact"][0]
    assert "does not accept pickles" in response.content.decode()
    assert "skops.io.dump" in response.content.decode()  # it says how to convert
    assert not ModelVersion.objects.exists()
    assert stored_files(media_root) == []


def test_the_progress_script_gets_where_to_go_instead_of_a_redirect(cast):
    response = client_of(cast.qm).post(
        url(cast, "model-version-upload"),
        {"task_type": "binary", "artifact": SimpleUploadedFile("m.onnx", files.onnx_bytes())},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )

    assert response.status_code == 200
    assert response["X-Redirect"] == url(cast, "model-version-page", ModelVersion.objects.get().pk)


def test_an_upload_over_the_limit_answers_413_and_keeps_nothing(cast, settings, media_root):
    settings.QUALITI_MAX_UPLOAD_BYTES = 1000

    response = model_upload(client_of(cast.qm), cast, files.skops_bytes())

    assert response.status_code == 413
    assert "uploads are limited to" in response.content.decode()
    assert not ModelVersion.objects.exists()
    assert stored_files(media_root) == []


def test_the_upload_views_still_check_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.qm)

    response = model_upload(client, cast, files.onnx_bytes(), filename="m.onnx")

    assert response.status_code == 403
    assert not ModelVersion.objects.exists()


def test_a_viewer_may_not_upload_a_model(cast):
    response = model_upload(client_of(cast.viewer), cast, files.onnx_bytes(), filename="m.onnx")

    assert response.status_code == 403
    assert not ModelVersion.objects.exists()


def test_a_get_of_an_upload_url_changes_nothing(cast):
    client = client_of(cast.qm)

    assert client.get(url(cast, "model-version-upload")).status_code == 405
    assert client.get(url(cast, "dataset-upload")).status_code == 405
    assert not ModelVersion.objects.exists() and not Dataset.objects.exists()


# --- datasets -----------------------------------------------------------------------------


def test_a_csv_is_stored_validating_and_its_page_polls_the_validation(cast, media_root):
    client = client_of(cast.qm)

    response = dataset_upload(client, cast, files.good_csv_bytes())

    dataset = Dataset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(cast, "dataset-page", dataset.pk)
    assert dataset.validation_status == ValidationStatus.VALIDATING
    assert (dataset.target_column, dataset.sensitive_columns) == ("approved", ["gender", "age"])
    assert dataset.columns == files.GOOD_COLUMNS
    assert len(stored_files(media_root)) == 1

    page = client.get(response["Location"]).content.decode()
    assert "Validating" in page
    assert 'hx-trigger="every 1s"' in page
    assert url(cast, "dataset-status", dataset.pk) in page
    assert "vendor/htmx.min.js" in page
    for column in files.GOOD_COLUMNS:
        assert f"<code>{column}</code>" in page


def test_once_validated_the_fragment_shows_the_schema_and_stops_polling(cast):
    client = client_of(cast.qm)
    dataset_upload(client, cast, files.good_csv_bytes())
    dataset = dataset_validate(dataset_id=Dataset.objects.get().pk)  # what the worker does

    response = client.get(url(cast, "dataset-status", dataset.pk))

    assert response.status_code == 200
    fragment = response.content.decode()
    assert "Valid" in fragment and "hx-trigger" not in fragment
    assert "200 rows" in fragment and "6 columns" in fragment
    assert response.context["schema_rows"] == [
        (column, dataset.schema[column]) for column in files.GOOD_COLUMNS
    ]
    assert dataset.schema["age"] in fragment
    assert ">target</span>" in fragment and ">sensitive</span>" in fragment


def test_a_file_found_broken_by_the_worker_shows_its_errors_inline(cast):
    client = client_of(cast.qm)
    dataset_upload(client, cast, files.ragged_csv_bytes(), target_column="", sensitive_columns="")
    dataset = dataset_validate(dataset_id=Dataset.objects.get().pk)
    assert dataset.validation_status == ValidationStatus.INVALID

    page = client.get(url(cast, "dataset-page", dataset.pk)).content.decode()

    assert "Invalid" in page and 'role="alert"' in page
    assert dataset.validation_error in page
    assert "Broken rows" in page
    assert "hx-trigger" not in page


def test_a_csv_without_the_target_column_is_refused_inline_and_nothing_is_kept(cast, media_root):
    response = dataset_upload(
        client_of(cast.qm), cast, files.good_csv_bytes(), target_column="label"
    )

    assert response.status_code == 400
    [message] = response.context["dataset_form"].errors["target_column"]
    assert "has no column 'label'" in message
    assert "has no column &#x27;label&#x27;" in response.content.decode()
    assert not Dataset.objects.exists()
    assert stored_files(media_root) == []


def test_an_unknown_file_is_refused_at_the_file_field(cast, media_root):
    response = dataset_upload(client_of(cast.qm), cast, files.binary_garbage_bytes())

    assert response.status_code == 400
    assert "neither CSV text nor Parquet" in response.context["dataset_form"].errors["file"][0]
    assert not Dataset.objects.exists()
    assert stored_files(media_root) == []


def test_a_developer_uploads_training_data_but_not_evaluation_data(cast):
    client = client_of(cast.dev)

    refused = dataset_upload(client, cast, files.good_csv_bytes(), role="evaluation")
    accepted = dataset_upload(client, cast, files.good_csv_bytes(), role="train")

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert list(Dataset.objects.values_list("role", flat=True)) == ["train"]


def test_a_viewer_may_not_upload_a_dataset(cast):
    response = dataset_upload(client_of(cast.viewer), cast, files.good_csv_bytes(), role="train")

    assert response.status_code == 403
    assert not Dataset.objects.exists()
