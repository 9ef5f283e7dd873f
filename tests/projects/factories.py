import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import factory
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.projects.models import (
    ArtifactFormat,
    Dataset,
    DatasetFormat,
    DatasetRole,
    ModelVersion,
    Project,
    TaskType,
    ValidationStatus,
)
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


class ModelVersionFactory(factory.django.DjangoModelFactory):
    """A predictions-only version (no artifact); uploads with files go through the API."""

    class Meta:
        model = ModelVersion

    project = factory.SubFactory(ProjectFactory)
    label = factory.Sequence(lambda n: f"label {n}")
    sequence = factory.Sequence(lambda n: n + 1)
    artifact_format = ArtifactFormat.NONE
    task_type = TaskType.BINARY


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"dataset {n}")
    role = DatasetRole.EVALUATION
    file = factory.django.FileField(filename="data.csv", data=b"a,b\n1,2\n")
    file_format = DatasetFormat.CSV
    sha256 = "0" * 64
    validation_status = ValidationStatus.VALID


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def member_client(project: Project, role: str) -> tuple[APIClient, User]:
    """An API client of a new user holding `role` in `project`."""
    membership = MembershipFactory(project=project, role=role)
    return client_for(membership.user), membership.user


def outsider_client() -> tuple[APIClient, User]:
    user = UserFactory()
    return client_for(user), user


@contextlib.contextmanager
def private_upload_dirs(settings) -> Iterator[Path]:
    """A storage folder and an upload temporary folder of the test's own, to see what an
    upload leaves behind. Made under this session's folder, not pytest's shared
    /tmp/pytest-of-<user>, which a concurrent pytest session may prune."""
    root = Path(tempfile.mkdtemp(dir=settings.TEST_DIR))
    settings.MEDIA_ROOT = root / "media"
    settings.FILE_UPLOAD_TEMP_DIR = root / "upload-temp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    try:
        yield settings.MEDIA_ROOT
    finally:
        shutil.rmtree(root, ignore_errors=True)
