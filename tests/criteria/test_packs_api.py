"""Packs over the API: export as YAML for any signed-in user, import (multipart `file` or
an application/yaml body) for administrators and organisation quality managers only."""

import jsonschema
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from apps.accounts.models import OrgRole, ProjectRole
from apps.criteria.models import CriterionPack, CriterionTemplate
from apps.criteria.packs import pack_schema
from tests.criteria.pack_texts import acme
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/criterion-templates/import/"
EXPORT = "/api/v1/criterion-templates/export/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def org_qm() -> APIClient:
    return client_for(UserFactory(org_role=OrgRole.QUALITY_MANAGER))


def upload(content: bytes) -> dict:
    return {"file": SimpleUploadedFile("acme.yaml", content, content_type="application/yaml")}


def test_an_organisation_quality_manager_imports_a_pack_as_a_multipart_file(org_qm):
    response = org_qm.post(IMPORT, upload(acme()), format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["pack"]["id"] == "acme" and body["pack"]["version"] == 1
    assert body["first_import"] is True
    assert sorted(body["templates"]["created"]) == ["acme:FAIR-01", "acme:PROC-01"]
    assert body["frameworks"]["created"] == ["acme:acme-ai-policy"]


def test_a_pack_sent_as_a_raw_yaml_body_is_imported_and_again_answers_200(org_qm):
    first = org_qm.generic("POST", IMPORT, acme(), content_type="application/yaml")
    again = org_qm.generic("POST", IMPORT, acme(), content_type="application/yaml")

    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert again.json()["templates"]["unchanged"] == ["acme:FAIR-01", "acme:PROC-01"]


def test_a_refused_pack_answers_400_with_every_error_and_writes_nothing(org_qm):
    bad = acme({"severity: critical": "severity: urgent", "validity_days: 180": "validity_days: 0"})

    response = org_qm.generic("POST", IMPORT, bad, content_type="application/yaml")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "nothing was imported" in body["detail"]
    assert [(e["entry"], e["code"], e["field"], e["value"]) for e in body["errors"]] == [
        (1, "FAIR-01", "severity", "urgent"),
        (2, "PROC-01", "validity_days", "0"),
    ]
    assert not CriterionPack.objects.exists()
    assert not CriterionTemplate.objects.filter(pack="acme").exists()


@pytest.mark.parametrize(
    "org_role", [OrgRole.NONE, OrgRole.MANAGEMENT], ids=["no organisation role", "management"]
)
def test_others_may_not_import_even_a_projects_quality_manager(org_role):
    project_qm = MembershipFactory(role=ProjectRole.QUALITY_MANAGER).user
    project_qm.org_role = org_role
    project_qm.save()

    response = client_for(project_qm).post(IMPORT, upload(acme()), format="multipart")

    assert response.status_code == 403
    assert "organisation's quality managers" in response.json()["detail"]
    assert not CriterionPack.objects.exists()


def test_an_administrator_imports_and_an_anonymous_caller_is_asked_to_sign_in():
    admin = client_for(UserFactory(org_role=OrgRole.ADMIN))

    assert admin.post(IMPORT, upload(acme()), format="multipart").status_code == 201
    assert APIClient().post(IMPORT, upload(acme()), format="multipart").status_code == 401


def test_an_import_without_a_file_or_as_json_is_refused(org_qm):
    assert org_qm.post(IMPORT, {}, format="multipart").json()["field"] == "file"
    assert org_qm.post(IMPORT, {"pack": {}}, format="json").status_code == 415


@override_settings(QUALITI_PACK_MAX_BYTES=512)
def test_a_body_over_the_cap_is_refused_with_413(org_qm):
    raw = org_qm.generic("POST", IMPORT, acme(), content_type="application/yaml")
    multipart = org_qm.post(IMPORT, upload(acme()), format="multipart")

    assert (raw.status_code, multipart.status_code) == (413, 413)
    assert raw.json()["limit_bytes"] == 512
    assert not CriterionPack.objects.exists()


def test_any_signed_in_user_exports_a_pack_as_a_yaml_attachment(org_qm):
    org_qm.post(IMPORT, upload(acme()), format="multipart")
    reader = client_for(UserFactory())

    shipped = reader.get(EXPORT)
    pack = reader.get(EXPORT, {"pack": "acme"}, HTTP_ACCEPT="application/yaml")

    assert shipped.status_code == pack.status_code == 200
    assert shipped["Content-Type"] == "application/yaml; charset=utf-8"
    assert shipped["Content-Disposition"] == 'attachment; filename="qualiti-criteria-pack-v1.yaml"'
    assert yaml.safe_load(shipped.content)["pack"]["id"] == "qualiti"
    assert yaml.safe_load(pack.content)["templates"][0]["code"] == "FAIR-01"
    assert reader.get(EXPORT, {"pack": "nowhere"}).status_code == 404
    assert APIClient().get(EXPORT).status_code == 401


def test_the_pack_format_is_served_as_its_json_schema():
    response = client_for(UserFactory()).get("/api/v1/criterion-templates/pack-schema/")

    assert response.status_code == 200
    assert response.json() == pack_schema()
    jsonschema.Draft202012Validator.check_schema(response.json())


def test_the_template_list_says_each_templates_pack_and_filters_by_it(org_qm):
    org_qm.post(IMPORT, upload(acme()), format="multipart")

    response = org_qm.get("/api/v1/criterion-templates/", {"pack": "acme"})

    assert [(t["code"], t["pack"]) for t in response.json()["results"]] == [
        ("acme:FAIR-01", "acme"),
        ("acme:PROC-01", "acme"),
    ]


@override_settings(QUALITI_PACK_MAX_BYTES=512)
def test_a_body_announced_over_the_cap_is_refused_before_anything_reads_it():
    response = APIClient().generic("POST", IMPORT, b"#" * 70_000, content_type="application/yaml")

    assert response.status_code == 413


def test_an_imported_framework_is_read_by_its_namespaced_id_with_its_templates(org_qm):
    org_qm.post(IMPORT, upload(acme()), format="multipart")

    response = org_qm.get("/api/v1/frameworks/acme:acme-ai-policy/")

    assert response.status_code == 200
    assert response.json()["requirements"][0]["templates"] == ["acme:FAIR-01"]
