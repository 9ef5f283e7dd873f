import pytest

from apps.accounts.models import ProjectRole
from tests.factories import ProjectFactory
from tests.projects.factories import member_client, private_upload_dirs


@pytest.fixture(autouse=True)
def media_root(settings):
    """Uploads of each test land in a folder of its own, removed afterwards."""
    with private_upload_dirs(settings) as root:
        yield root


@pytest.fixture
def project():
    return ProjectFactory()


@pytest.fixture
def qm(project):
    return member_client(project, ProjectRole.QUALITY_MANAGER)[0]
