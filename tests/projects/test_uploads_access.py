"""Who sees, downloads and deletes uploaded model versions and datasets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import OrgRole, ProjectRole
from apps.evaluations.models import EvaluationRun
from apps.projects.models import Dataset, ModelVersion
from apps.testplans.models import TestPlan
from tests.factories import ProjectFactory, UserFactory
from tests.projects import files
from tests.projects.factories import (
    DatasetFactory,
    ModelVersionFactory,
    client_for,
    member_client,
    outsider_client,
)

pytestmark = [pytest.mark.django_db]

DATASETS = "/api/v1/datasets/"
VERSIONS = "/api/v1/model-versions/"


def uploaded_dataset(client, project, content: bytes, role: str = "evaluation") -> dict:
    response = client.post(
        DATASETS,
        {
            "project": project.slug,
            "name": "data",
            "role": role,
            "file": SimpleUploadedFile("data.csv", content),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def uploaded_version(client, project, content: bytes) -> dict:
    response = client.post(
        VERSIONS,
        {
            "project": project.slug,
            "task_type": "binary",
            "artifact": SimpleUploadedFile("model.skops", content),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_member_downloads_the_exact_bytes_of_a_dataset(qm, project):
    content = files.good_csv_bytes()
    dataset = uploaded_dataset(qm, project, content)
    viewer, _ = member_client(project, ProjectRole.VIEWER)

    response = viewer.get(f"{DATASETS}{dataset['id']}/download/")

    assert response.status_code == 200
    assert downloaded(response) == content
    assert response["Content-Disposition"] == 'attachment; filename="data.csv"'
    assert response["ETag"] == f'"{dataset["sha256"]}"'


def test_a_member_downloads_the_exact_bytes_of_a_model_artifact(qm, project):
    content = files.skops_bytes()
    version = uploaded_version(qm, project, content)
    developer, _ = member_client(project, ProjectRole.DEVELOPER)

    response = developer.get(f"{VERSIONS}{version['id']}/download/")

    assert response.status_code == 200
    assert downloaded(response) == content
    assert response["Content-Type"] == "application/octet-stream"


def test_management_reads_and_downloads_every_project(qm, project):
    content = files.good_csv_bytes()
    dataset = uploaded_dataset(qm, project, content)
    manager = client_for(UserFactory(org_role=OrgRole.MANAGEMENT))

    listed = manager.get(DATASETS).json()["results"]
    response = manager.get(f"{DATASETS}{dataset['id']}/download/")

    assert [row["id"] for row in listed] == [dataset["id"]]
    assert downloaded(response) == content


def test_a_non_member_gets_404_on_download_and_read(qm, project):
    dataset = uploaded_dataset(qm, project, files.good_csv_bytes())
    version = uploaded_version(qm, project, files.skops_bytes())
    stranger, _ = outsider_client()

    assert stranger.get(f"{DATASETS}{dataset['id']}/download/").status_code == 404
    assert stranger.get(f"{DATASETS}{dataset['id']}/").status_code == 404
    assert stranger.get(f"{VERSIONS}{version['id']}/download/").status_code == 404
    assert stranger.get(f"{VERSIONS}{version['id']}/").status_code == 404


def test_a_non_member_sees_nothing_in_the_lists(qm, project):
    uploaded_dataset(qm, project, files.good_csv_bytes())
    uploaded_version(qm, project, files.skops_bytes())
    stranger, _ = member_client(ProjectFactory(), ProjectRole.QUALITY_MANAGER)

    assert stranger.get(DATASETS).json()["count"] == 0
    assert stranger.get(VERSIONS).json()["count"] == 0
    assert stranger.get(DATASETS, {"project": project.slug}).json()["count"] == 0


def test_a_predictions_only_version_has_nothing_to_download(project, qm):
    version = ModelVersionFactory(project=project)

    response = qm.get(f"{VERSIONS}{version.pk}/download/")

    assert response.status_code == 404
    assert "predictions only" in response.json()["detail"]


def test_lists_filter_by_project_role_and_status(qm, project):
    other = ProjectFactory()
    member_client(other, ProjectRole.VIEWER)
    train = DatasetFactory(project=project, role="train")
    DatasetFactory(project=project, role="evaluation", validation_status="invalid")
    DatasetFactory(project=other)
    admin = client_for(UserFactory(org_role=OrgRole.ADMIN))

    by_project = admin.get(DATASETS, {"project": project.slug}).json()
    by_role = admin.get(DATASETS, {"project": project.slug, "role": "train"}).json()
    invalid = admin.get(DATASETS, {"validation_status": "invalid"}).json()

    assert by_project["count"] == 2
    assert [row["id"] for row in by_role["results"]] == [train.pk]
    assert [row["validation_status"] for row in invalid["results"]] == ["invalid"]


def test_lists_filter_by_sha256_within_what_the_caller_sees(qm, project):
    content = files.skops_bytes()
    version = uploaded_version(qm, project, content)
    dataset = uploaded_dataset(qm, project, files.good_csv_bytes())
    uploaded_version(qm, project, files.onnx_bytes())  # other bytes, not listed
    uploaded_dataset(qm, project, files.good_csv_bytes(rows=50))
    other = ProjectFactory()
    other_qm, _ = member_client(other, ProjectRole.QUALITY_MANAGER)
    uploaded_version(other_qm, other, content)  # the same bytes in a project qm cannot see

    by_version_sha = qm.get(VERSIONS, {"sha256": version["sha256"]}).json()
    by_dataset_sha = qm.get(DATASETS, {"project": project.slug, "sha256": dataset["sha256"]}).json()
    unknown = qm.get(VERSIONS, {"project": project.slug, "sha256": "f" * 64}).json()

    assert [row["id"] for row in by_version_sha["results"]] == [version["id"]]
    assert [row["id"] for row in by_dataset_sha["results"]] == [dataset["id"]]
    assert unknown["count"] == 0


def test_model_versions_list_newest_first_and_order_by_created_at(qm, project):
    for _ in range(3):
        uploaded_version(qm, project, files.skops_bytes())

    default = qm.get(VERSIONS, {"project": project.slug}).json()["results"]
    oldest_first = qm.get(VERSIONS, {"project": project.slug, "ordering": "created_at"}).json()

    assert [row["sequence"] for row in default] == [3, 2, 1]
    assert [row["sequence"] for row in oldest_first["results"]] == [1, 2, 3]


def test_deleting_a_dataset_removes_its_file_once_committed(
    qm, project, media_root, django_capture_on_commit_callbacks
):
    dataset = uploaded_dataset(qm, project, files.good_csv_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        response = qm.delete(f"{DATASETS}{dataset['id']}/")

    assert response.status_code == 204
    assert not Dataset.objects.exists()
    assert [path for path in media_root.rglob("*") if path.is_file()] == []


def test_a_developer_deletes_training_data_but_not_evaluation_data(qm, project):
    train = uploaded_dataset(qm, project, files.good_csv_bytes(), role="train")
    evaluation = uploaded_dataset(qm, project, files.good_csv_bytes(), role="evaluation")
    developer, _ = member_client(project, ProjectRole.DEVELOPER)

    assert developer.delete(f"{DATASETS}{evaluation['id']}/").status_code == 403
    assert developer.delete(f"{DATASETS}{train['id']}/").status_code == 204


def test_a_viewer_cannot_delete_and_a_stranger_gets_404(qm, project):
    version = uploaded_version(qm, project, files.skops_bytes())
    viewer, _ = member_client(project, ProjectRole.VIEWER)
    stranger, _ = outsider_client()

    assert viewer.delete(f"{VERSIONS}{version['id']}/").status_code == 403
    assert stranger.delete(f"{VERSIONS}{version['id']}/").status_code == 404
    assert ModelVersion.objects.exists()


def test_what_an_evaluation_run_used_cannot_be_deleted(qm, project):
    version = uploaded_version(qm, project, files.skops_bytes())
    dataset = uploaded_dataset(qm, project, files.good_csv_bytes())
    EvaluationRun.objects.create(
        project=project,
        test_plan=TestPlan.objects.create(project=project, name="plan"),
        model_version_id=version["id"],
        dataset_id=dataset["id"],
    )

    version_response = qm.delete(f"{VERSIONS}{version['id']}/")
    dataset_response = qm.delete(f"{DATASETS}{dataset['id']}/")

    assert version_response.status_code == 400
    assert "used by 1 evaluation run(s)" in version_response.json()["detail"]
    assert dataset_response.status_code == 400
    assert qm.get(f"{VERSIONS}{version['id']}/download/").status_code == 200
