import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.accounts.models import OrgRole, ProjectRole
from apps.criteria.models import Criterion, CriterionTemplate
from apps.testplans import models as testplans
from tests.criteria.factories import CriterionFactory
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

CRITERIA = "/api/v1/criteria/"
TEMPLATES = "/api/v1/criterion-templates/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def member(project, role):
    return MembershipFactory(project=project, role=role).user


@pytest.fixture
def project():
    return ProjectFactory(slug="credit")


@pytest.fixture
def qm_user(project):
    return member(project, ProjectRole.QUALITY_MANAGER)


@pytest.fixture
def qm(qm_user):
    return client_for(qm_user)


@pytest.fixture
def developer(project):
    return client_for(member(project, ProjectRole.DEVELOPER))


@pytest.fixture
def outsider():
    return client_for(MembershipFactory(project=ProjectFactory()).user)


def scratch_body(**changes) -> dict:
    body = {
        "project": "credit",
        "code": "PERF-X1",
        "name": "AUC at least 0.8",
        "category": "performance",
        "check_key": "performance.classification",
        "metric": "roc_auc",
        "comparator": ">=",
        "threshold": 0.8,
        "severity": "high",
        "rationale": "The business case needs it.",
        "guidance": "Improve the features.",
    }
    return body | changes


def test_any_signed_in_user_reads_the_catalogue_filtered_and_ordered():
    client = client_for(UserFactory())

    response = client.get(TEMPLATES, {"category": "fairness", "limit": 100})

    assert response.status_code == 200
    codes = [template["code"] for template in response.json()["results"]]
    assert codes == sorted(codes)
    assert set(codes) == set(
        CriterionTemplate.objects.filter(category="fairness").values_list("code", flat=True)
    )
    assert response.json()["results"][0]["guidance"]


def test_the_catalogue_filters_by_check_key_and_needs_a_signed_in_user():
    template = CriterionTemplate.objects.get(code="ANOM-01")

    response = client_for(UserFactory()).get(TEMPLATES, {"check_key": "anomaly.input_outliers"})

    assert [row["code"] for row in response.json()["results"]] == ["ANOM-01"]
    assert client_for(UserFactory()).get(f"{TEMPLATES}{template.pk}/").json()["code"] == "ANOM-01"
    assert APIClient().get(TEMPLATES).status_code in (401, 403)


def test_the_quality_manager_creates_a_criterion_from_a_template(qm, project):
    template = CriterionTemplate.objects.get(code="FAIR-01")

    response = qm.post(
        CRITERIA, {"project": "credit", "template": template.pk, "threshold": 0.9}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["project"] == "credit"
    assert (body["template"], body["template_code"]) == (template.pk, "FAIR-01")
    assert (body["code"], body["metric"], body["threshold"]) == (
        "FAIR-01",
        "demographic_parity_ratio",
        0.9,
    )
    assert body["guidance"] == template.guidance
    assert project.criteria.get().threshold == 0.9


def test_the_quality_manager_creates_a_criterion_from_scratch(qm, project):
    response = qm.post(CRITERIA, scratch_body(), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["template"] is None
    assert project.criteria.get().code == "PERF-X1"


def test_without_a_template_every_field_is_required(qm):
    response = qm.post(CRITERIA, {"project": "credit", "code": "X-01"}, format="json")

    assert response.status_code == 400
    assert {"check_key", "metric", "threshold"} <= set(response.json())
    assert not Criterion.objects.exists()


def test_a_bad_check_key_answers_400_naming_it(qm):
    response = qm.post(CRITERIA, scratch_body(check_key="performance.magic"), format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "check_key"
    assert "performance.magic" in response.json()["detail"]


def test_a_duplicate_code_answers_400_naming_the_field(qm, project):
    CriterionFactory(project=project, code="PERF-X1")

    response = qm.post(CRITERIA, scratch_body(), format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "code"


def test_the_quality_manager_edits_and_deletes_a_criterion(qm, project):
    criterion = CriterionFactory(project=project, threshold=0.75)

    patched = qm.patch(f"{CRITERIA}{criterion.pk}/", {"threshold": 0.7}, format="json")
    deleted = qm.delete(f"{CRITERIA}{criterion.pk}/")

    assert patched.status_code == 200
    assert patched.json()["threshold"] == 0.7
    assert deleted.status_code == 204
    assert not Criterion.objects.exists()


def test_put_replaces_every_value(qm, project):
    criterion = CriterionFactory(project=project)
    body = scratch_body(threshold=0.6)
    del body["project"]

    response = qm.put(f"{CRITERIA}{criterion.pk}/", body, format="json")

    assert response.status_code == 200, response.json()
    criterion.refresh_from_db()
    assert (criterion.code, criterion.threshold) == ("PERF-X1", 0.6)


def test_an_organisation_admin_manages_any_projects_criteria(project):
    admin = client_for(UserFactory(org_role=OrgRole.ADMIN))

    response = admin.post(CRITERIA, scratch_body(), format="json")

    assert response.status_code == 201


def test_a_developer_reads_criteria_but_may_not_change_them(developer, project):
    criterion = CriterionFactory(project=project, threshold=0.75)
    url = f"{CRITERIA}{criterion.pk}/"

    assert developer.get(url).status_code == 200
    assert developer.get(CRITERIA, {"project": "credit"}).json()["count"] == 1
    assert developer.post(CRITERIA, scratch_body(), format="json").status_code == 403
    assert developer.patch(url, {"threshold": 0.1}, format="json").status_code == 403
    assert developer.delete(url).status_code == 403
    criterion.refresh_from_db()
    assert criterion.threshold == 0.75
    assert Criterion.objects.count() == 1


def test_a_viewer_may_not_create_criteria(project):
    viewer = client_for(member(project, ProjectRole.VIEWER))

    assert viewer.post(CRITERIA, scratch_body(), format="json").status_code == 403


def test_a_non_member_neither_sees_nor_touches_a_projects_criteria(outsider, project):
    criterion = CriterionFactory(project=project)
    url = f"{CRITERIA}{criterion.pk}/"

    assert outsider.get(CRITERIA).json()["count"] == 0
    assert outsider.get(CRITERIA, {"project": "credit"}).json()["count"] == 0
    assert outsider.get(url).status_code == 404
    assert outsider.patch(url, {"threshold": 0.1}, format="json").status_code == 404
    assert outsider.delete(url).status_code == 404
    # Creating in an invisible project answers as for a project that does not exist.
    created = outsider.post(CRITERIA, scratch_body(), format="json")
    missing = outsider.post(CRITERIA, scratch_body(project="no-such-project"), format="json")
    assert created.status_code == missing.status_code == 400
    assert "project" in created.json()
    assert Criterion.objects.count() == 1


def test_management_reads_every_projects_criteria_but_may_not_change_them(project):
    criterion = CriterionFactory(project=project)
    management = client_for(UserFactory(org_role=OrgRole.MANAGEMENT))

    assert management.get(f"{CRITERIA}{criterion.pk}/").status_code == 200
    assert management.delete(f"{CRITERIA}{criterion.pk}/").status_code == 403


def test_the_list_filters_by_project_category_and_severity(qm, qm_user, project):
    other = ProjectFactory(slug="other")
    MembershipFactory(project=other, user=qm_user, role=ProjectRole.VIEWER)
    CriterionFactory(project=project, code="A", category="fairness", severity="high")
    CriterionFactory(project=project, code="B", category="drift", severity="low")
    CriterionFactory(project=other, code="C", category="fairness", severity="high")

    def codes(**query):
        return [row["code"] for row in qm.get(CRITERIA, query).json()["results"]]

    assert codes(project="credit") == ["A", "B"]
    assert codes(category="fairness") == ["A", "C"]
    assert codes(project="credit", severity="low") == ["B"]
    assert codes(project="credit", ordering="-code") == ["B", "A"]


def test_deleting_a_criterion_used_by_a_plan_answers_400_naming_the_plan(qm, project):
    criterion = CriterionFactory(project=project)
    plan = testplans.TestPlan.objects.create(
        project=project, name="Release gate", status=testplans.PlanStatus.APPROVED
    )
    testplans.PlanCheck.objects.create(plan=plan, criterion=criterion, check_key="x.y")

    response = qm.delete(f"{CRITERIA}{criterion.pk}/")

    assert response.status_code == 400
    assert "Release gate" in response.json()["detail"]


def test_the_list_costs_the_same_queries_for_one_or_twenty_criteria(qm, project):
    template = CriterionTemplate.objects.get(code="PERF-03")

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = qm.get(CRITERIA, {"project": "credit"})
        assert response.status_code == 200
        return len(queries)

    CriterionFactory(project=project, template=template)
    one = list_queries()
    CriterionFactory.create_batch(19, project=project, template=template)
    twenty = list_queries()

    assert one == twenty


def test_the_schema_describes_the_write_bodies():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    create = schema["paths"]["/api/v1/criteria/"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert {"project", "template", "threshold"} <= set(body["properties"])
    assert body["required"] == ["project"]
    assert "201" in create["responses"]
    list_parameters = {p["name"] for p in schema["paths"]["/api/v1/criteria/"]["get"]["parameters"]}
    assert {"project", "category", "severity", "ordering"} <= list_parameters
