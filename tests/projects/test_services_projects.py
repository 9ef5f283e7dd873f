import pytest

from apps.accounts.models import OrgRole
from apps.projects.services import project_create
from qualiti.errors import InvalidInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_page_of_its_own_is_not_a_project_slug():
    user = UserFactory(org_role=OrgRole.QUALITY_MANAGER)

    with pytest.raises(InvalidInput, match="reserved"):
        project_create(user=user, name="Anything", slug="new")
    assert project_create(user=user, name="New").slug == "new-2"
