"""Packs on the catalogue page: every member exports a pack as YAML; administrators and
organisation quality managers import one, and a refused pack lists every problem."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from apps.accounts.models import OrgRole
from apps.criteria.models import CriterionPack, CriterionTemplate
from tests.criteria.pack_texts import acme
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> ProjectCast:
    cast = ProjectCast()
    cast.qm.org_role = OrgRole.QUALITY_MANAGER  # the organisation's, who may import
    cast.qm.save()
    return cast


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def catalogue(cast: ProjectCast) -> str:
    return reverse("criterion-catalogue", args=[cast.project.slug])


def import_pack(client: Client, cast: ProjectCast, content: bytes, **kwargs):
    upload = SimpleUploadedFile("acme.yaml", content, content_type="application/yaml")
    url = reverse("criterion-pack-import", args=[cast.project.slug])
    return client.post(url, {"file": upload}, **kwargs)


def test_every_member_sees_the_export_links_and_only_who_may_import_the_form(cast):
    for user, may_import in [(cast.qm, True), (cast.admin, True), (cast.dev, False)]:
        page = client_for(user).get(catalogue(cast)).content.decode()

        assert 'href="/api/v1/criterion-templates/export/"' in page
        assert 'href="/api/v1/criterion-templates/export/?pack=qualiti"' in page
        assert ('name="file"' in page) is may_import, user


def test_an_imported_pack_is_listed_exportable_and_its_templates_show_their_pack(cast):
    client = client_for(cast.qm)

    response = import_pack(client, cast, acme(), follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == catalogue(cast)
    assert "Imported the pack acme version 1: templates 2 new" in page
    assert 'href="/api/v1/criterion-templates/export/?pack=acme"' in page
    assert '<span class="pack-prefix">acme:</span><strong>FAIR-01</strong>' in page
    assert CriterionTemplate.objects.filter(pack="acme").count() == 2


def test_a_refused_pack_shows_every_problem_beside_the_form_and_imports_nothing(cast):
    bad = acme({"severity: critical": "severity: urgent", "validity_days: 180": "validity_days: 0"})

    response = import_pack(client_for(cast.qm), cast, bad)

    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert" id="pack-problems"' in page
    assert 'aria-describedby="pack-file-help pack-problems"' in page
    assert "Template 1 (FAIR-01), line 14, severity: must be one of" in page
    validity = "Template 2 (PROC-01), line 26, validity_days: must be at least 1; given &#x27;0"
    assert validity in page
    assert not CriterionPack.objects.exists()


def test_an_alias_bomb_is_refused_on_the_page_too(cast):
    response = import_pack(client_for(cast.qm), cast, b"a: &a [x, x]\nb: [*a, *a]\n")

    assert response.status_code == 400
    assert "aliases (*name) are not allowed" in response.content.decode()


def test_a_project_quality_manager_without_the_organisation_role_may_not_import(cast):
    cast.qm.org_role = OrgRole.NONE
    cast.qm.save()

    response = import_pack(client_for(cast.qm), cast, acme())

    assert response.status_code == 403
    assert not CriterionPack.objects.exists()


def test_the_import_still_checks_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.qm)

    response = import_pack(client, cast, acme())

    assert response.status_code == 403
    assert not CriterionPack.objects.exists()


@override_settings(QUALITI_PACK_MAX_BYTES=512)
def test_a_body_announced_over_the_cap_is_refused_on_the_page_before_it_is_read(cast):
    url = reverse("criterion-pack-import", args=[cast.project.slug])

    response = client_for(cast.qm).post(
        url, data=b"x" * 70_000, content_type="multipart/form-data; boundary=x"
    )

    assert response.status_code == 413
    assert "larger than the limit of 512" in response.content.decode()
