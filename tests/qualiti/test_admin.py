import pytest
from django.contrib import admin
from django.urls import reverse

from apps.accounts.models import OrgRole
from tests.api.world import build_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label != "auth"]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_admin_list_and_page_renders(client, model):
    build_world()
    client.force_login(UserFactory(org_role=OrgRole.ADMIN, is_staff=True, is_superuser=True))
    info = (model._meta.app_label, model._meta.model_name)

    listing = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    first = model.objects.first()

    assert listing.status_code == 200
    if first is not None:
        page = client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        assert page.status_code == 200
