"""Model uploads pass the engine's gate before anything is kept: every hostile kind
answers 400 naming its problem in one sentence, with no row, no file and no process left;
genuine models of every common kind are accepted, their task read from them."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.projects.models import ModelVersion
from tests.projects.test_uploads_model_versions import URL, assert_nothing_kept
from tests.support import genuine_models, hostile_models
from tests.support.processes import model_processes

pytestmark = [pytest.mark.django_db]


def upload(client, project, file_name: str, content: bytes, **fields):
    data = {"project": project.slug, "artifact": SimpleUploadedFile(file_name, content), **fields}
    return client.post(URL, data, format="multipart")


@pytest.mark.parametrize("name", list(hostile_models.HOSTILE))
def test_every_hostile_model_is_refused_at_upload(qm, project, media_root, settings, name):
    if name == "onnx_endless_loop":  # it costs the whole limit; the others keep the default,
        settings.QUALITI_ARTIFACT_AUDIT_SECONDS = 5  # so a busy machine does not time them out
    file_name, make, words = hostile_models.HOSTILE[name]

    response = upload(qm, project, file_name, make())

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == "artifact"
    assert words in body["detail"]
    assert "\n" not in body["detail"]
    assert_nothing_kept(settings, media_root)
    assert model_processes(os.getpid()) == []


@pytest.mark.parametrize(
    ("kind", "name"),
    [("skops", name) for name in genuine_models.SKOPS_NAMES]
    + [("onnx", name) for name in genuine_models.ONNX_NAMES],
)
def test_genuine_models_are_accepted_and_their_task_read_from_them(qm, project, kind, name):
    make = genuine_models.skops_model if kind == "skops" else genuine_models.onnx_model

    response = upload(qm, project, f"model.{kind}", make(name))  # no task_type given

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["artifact_format"], body["task_type"]) == (kind, genuine_models.expected(name)[0])
    assert body["warnings"] == []


def test_a_declared_task_that_contradicts_the_model_is_kept_with_a_warning(qm, project):
    content = genuine_models.skops_model("boosted_trees_multiclass")

    response = upload(qm, project, "model.skops", content, task_type="binary")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["task_type"] == "binary"
    assert body["warnings"] == [
        "Declared as binary classification, but the model is multiclass classification "
        "(3 classes: 0, 1, 2); runs use the declared task."
    ]


def test_the_warning_shows_on_the_model_version_page(client, project):
    from tests.factories import MembershipFactory

    membership = MembershipFactory(project=project, role="quality_manager")
    client.force_login(membership.user)
    content = genuine_models.skops_model("boosted_trees_multiclass")
    client.post(
        reverse("model-version-upload", args=[project.slug]),
        {"artifact": SimpleUploadedFile("model.skops", content), "task_type": "binary"},
    )
    version = ModelVersion.objects.get(project=project)

    page = client.get(reverse("model-version-page", args=[project.slug, version.pk]))

    assert page.status_code == 200
    page = page.content.decode()

    assert "Declared as binary classification, but the model is multiclass" in page


def test_a_version_without_a_model_must_say_its_task(qm, project):
    response = qm.post(URL, {"project": project.slug}, format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "task_type"
    assert not ModelVersion.objects.exists()
