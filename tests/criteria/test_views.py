import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.criteria.models import Criterion, CriterionTemplate
from apps.testplans.models import PlanCheck, TestPlan
from tests.criteria.factories import CriterionFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> ProjectCast:
    return ProjectCast()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, cast: ProjectCast, *args) -> str:
    return reverse(name, args=[cast.project.slug, *args])


def edit_data(criterion: Criterion, **changes) -> dict:
    data = {
        "code": criterion.code,
        "name": criterion.name,
        "category": criterion.category,
        "check_key": criterion.check_key,
        "metric": criterion.metric,
        "comparator": criterion.comparator,
        "threshold": str(criterion.threshold),
        "severity": criterion.severity,
        "blocking": "on" if criterion.blocking else "",
        "params": "",
        "rationale": criterion.rationale,
        "guidance": criterion.guidance,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


# The list


def test_it_lists_the_projects_criteria_with_their_bar(cast):
    template = CriterionTemplate.objects.get(code="FAIR-01")
    CriterionFactory(project=cast.project, code="FAIR-01", template=template, threshold=0.85)
    CriterionFactory(code="ELSEWHERE-01")

    response = client_for(cast.viewer).get(url("criteria-list", cast))

    assert response.status_code == 200
    body = response.content.decode()
    assert "FAIR-01" in body and "&gt;= 0.85" in body
    assert "ELSEWHERE-01" not in body
    assert "New custom criterion" not in body  # a viewer sees no forms


def test_the_quality_manager_sees_the_create_link(cast):
    response = client_for(cast.qm).get(url("criteria-list", cast))

    assert "New custom criterion" in response.content.decode()


def test_an_empty_list_points_to_the_catalogue(cast):
    response = client_for(cast.qm).get(url("criteria-list", cast))

    assert "Start from the template catalogue" in response.content.decode()


def test_the_list_costs_the_same_queries_for_2_or_20_criteria(cast):
    client = client_for(cast.qm)
    template = CriterionTemplate.objects.first()
    CriterionFactory.create_batch(2, project=cast.project, template=template)
    with CaptureQueriesContext(connection) as few:
        client.get(url("criteria-list", cast))
    CriterionFactory.create_batch(18, project=cast.project, template=template)
    with CaptureQueriesContext(connection) as many:
        client.get(url("criteria-list", cast))

    assert len(many) == len(few)


def test_an_outsider_gets_404(cast):
    response = client_for(cast.outsider).get(url("criteria-list", cast))

    assert response.status_code == 404


# The catalogue


def test_the_catalogue_groups_templates_with_rationale_and_guidance(cast):
    response = client_for(cast.qm).get(url("criterion-catalogue", cast))

    body = response.content.decode()
    template = CriterionTemplate.objects.get(code="FAIR-01")
    assert response.status_code == 200
    assert "<h2" in body and "Fairness" in body
    assert template.rationale[:40] in body
    assert template.guidance[:40] in body
    assert f"Add {template.name}" in body


def test_the_catalogue_filters_by_search_and_category(cast):
    response = client_for(cast.qm).get(
        url("criterion-catalogue", cast), {"q": "four-fifths", "category": "fairness"}
    )

    body = response.content.decode()
    assert "FAIR-01" in body
    assert "PERF-01" not in body


def test_the_catalogue_marks_templates_already_used(cast):
    template = CriterionTemplate.objects.get(code="FAIR-01")
    CriterionFactory(project=cast.project, template=template)

    response = client_for(cast.qm).get(url("criterion-catalogue", cast), {"q": "FAIR-01"})

    assert "In this project" in response.content.decode()


def test_the_catalogue_renders_in_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    client = client_for(cast.qm)
    with django_assert_max_num_queries(9):  # the packs, listed for their export, are one
        client.get(url("criterion-catalogue", cast))


def test_a_viewer_sees_the_catalogue_without_add_buttons(cast):
    response = client_for(cast.viewer).get(url("criterion-catalogue", cast))

    assert response.status_code == 200
    template = CriterionTemplate.objects.get(code="FAIR-01")
    assert template.rationale[:40] in response.content.decode()
    assert f"Add {template.name}" not in response.content.decode()


def test_adding_from_a_template_creates_the_criterion_and_opens_its_editor(cast):
    template = CriterionTemplate.objects.get(code="FAIR-01")

    response = client_for(cast.qm).post(
        url("criterion-add-from-template", cast, template.pk), follow=True
    )

    criterion = Criterion.objects.get(project=cast.project, template=template)
    assert criterion.threshold == template.threshold
    assert response.redirect_chain[-1][0] == url("criterion-edit", cast, criterion.pk)
    assert "Added FAIR-01" in response.content.decode()


def test_adding_a_template_twice_is_refused_with_a_message(cast):
    template = CriterionTemplate.objects.get(code="FAIR-01")
    client = client_for(cast.qm)
    client.post(url("criterion-add-from-template", cast, template.pk))

    response = client.post(url("criterion-add-from-template", cast, template.pk), follow=True)

    assert Criterion.objects.filter(project=cast.project).count() == 1
    assert "already used" in response.content.decode()


@pytest.mark.parametrize("role", ["dev", "viewer"])
def test_a_developer_or_viewer_cannot_add_from_a_template(cast, role):
    template = CriterionTemplate.objects.get(code="FAIR-01")

    response = client_for(getattr(cast, role)).post(
        url("criterion-add-from-template", cast, template.pk)
    )

    assert response.status_code == 403
    assert not Criterion.objects.exists()


def test_an_outsider_cannot_add_from_a_template(cast):
    template = CriterionTemplate.objects.get(code="FAIR-01")

    response = client_for(cast.outsider).post(url("criterion-add-from-template", cast, template.pk))

    assert response.status_code == 404
    assert not Criterion.objects.exists()


def test_a_get_on_add_changes_nothing(cast):
    template = CriterionTemplate.objects.get(code="FAIR-01")

    response = client_for(cast.qm).get(url("criterion-add-from-template", cast, template.pk))

    assert response.status_code == 405
    assert not Criterion.objects.exists()


# The editor


def test_the_editor_shows_the_templates_rationale_and_guidance(cast):
    template = CriterionTemplate.objects.get(code="FAIR-02")
    criterion = CriterionFactory(
        project=cast.project, template=template, check_key=template.check_key,
        metric=template.metric, rationale="Ours.", guidance="Ours too.",
    )  # fmt: skip

    response = client_for(cast.qm).get(url("criterion-edit", cast, criterion.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert template.rationale[:40] in body and template.guidance[:40] in body
    assert '<label for="id_threshold">Threshold</label>' in body


def test_editing_changes_threshold_severity_and_blocking(cast):
    criterion = CriterionFactory(project=cast.project)

    response = client_for(cast.qm).post(
        url("criterion-edit", cast, criterion.pk),
        edit_data(criterion, threshold="0.9", severity="critical", blocking="on"),
        follow=True,
    )

    criterion.refresh_from_db()
    assert (criterion.threshold, criterion.severity, criterion.blocking) == (0.9, "critical", True)
    assert f"Saved {criterion.code}" in response.content.decode()


def test_a_bad_threshold_is_refused_inline_and_nothing_is_saved(cast):
    criterion = CriterionFactory(project=cast.project, threshold=0.75)

    response = client_for(cast.qm).post(
        url("criterion-edit", cast, criterion.pk),
        edit_data(criterion, threshold="high", severity="low"),
    )

    criterion.refresh_from_db()
    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()
    assert (criterion.threshold, criterion.severity) == (0.75, "high")


def test_a_threshold_the_metric_can_never_take_is_refused_inline(cast):
    criterion = CriterionFactory(project=cast.project, threshold=0.75)  # ROC AUC

    response = client_for(cast.qm).post(
        url("criterion-edit", cast, criterion.pk), edit_data(criterion, threshold="-5")
    )

    criterion.refresh_from_db()
    assert response.status_code == 400
    assert "always lies between 0 and 1" in response.content.decode()
    assert criterion.threshold == 0.75


def test_a_metric_the_check_does_not_report_is_refused(cast):
    criterion = CriterionFactory(project=cast.project)

    response = client_for(cast.qm).post(
        url("criterion-edit", cast, criterion.pk), edit_data(criterion, metric="wobble")
    )

    criterion.refresh_from_db()
    assert response.status_code == 400
    assert "does not report" in response.content.decode()
    assert criterion.metric == "roc_auc"


def test_a_duplicate_code_is_refused_by_the_service_inline(cast):
    CriterionFactory(project=cast.project, code="TAKEN-01")
    criterion = CriterionFactory(project=cast.project)

    response = client_for(cast.qm).post(
        url("criterion-edit", cast, criterion.pk), edit_data(criterion, code="TAKEN-01")
    )

    assert response.status_code == 400
    assert "already used" in response.content.decode()


def test_a_developer_cannot_edit(cast):
    criterion = CriterionFactory(project=cast.project, threshold=0.75)
    client = client_for(cast.dev)

    page = client.get(url("criterion-edit", cast, criterion.pk))
    response = client.post(
        url("criterion-edit", cast, criterion.pk), edit_data(criterion, threshold="0.1")
    )

    assert page.status_code == 200 and "Save criterion" not in page.content.decode()
    assert response.status_code == 403
    criterion.refresh_from_db()
    assert criterion.threshold == 0.75


def test_a_criterion_of_another_project_is_404(cast):
    other = CriterionFactory()

    response = client_for(cast.qm).get(url("criterion-edit", cast, other.pk))

    assert response.status_code == 404


def test_creating_a_custom_criterion(cast):
    data = {
        "code": "CUST-01", "name": "Custom", "category": "performance",
        "check_key": "performance.classification", "metric": "accuracy", "comparator": ">=",
        "threshold": "0.8", "severity": "medium", "params": '{"n_bootstrap": 200}',
        "rationale": "Because.", "guidance": "Do this.",
    }  # fmt: skip

    response = client_for(cast.qm).post(url("criterion-create", cast), data)

    assert response.status_code == 302
    criterion = Criterion.objects.get(project=cast.project, code="CUST-01")
    assert criterion.params == {"n_bootstrap": 200} and criterion.template is None


def test_creating_with_bad_json_params_is_refused(cast):
    data = {
        "code": "CUST-01", "name": "Custom", "category": "performance",
        "check_key": "performance.classification", "metric": "accuracy", "comparator": ">=",
        "threshold": "0.8", "severity": "medium", "params": "{oops",
        "rationale": "Because.", "guidance": "Do this.",
    }  # fmt: skip

    response = client_for(cast.qm).post(url("criterion-create", cast), data)

    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()
    assert not Criterion.objects.exists()


def test_deleting_a_criterion(cast):
    criterion = CriterionFactory(project=cast.project)

    response = client_for(cast.qm).post(url("criterion-delete", cast, criterion.pk), follow=True)

    assert not Criterion.objects.filter(pk=criterion.pk).exists()
    assert "Deleted" in response.content.decode()


def test_deleting_a_criterion_a_plan_uses_is_refused_with_a_message(cast):
    criterion = CriterionFactory(project=cast.project)
    plan = TestPlan.objects.create(project=cast.project, name="Release gate")
    PlanCheck.objects.create(plan=plan, criterion=criterion, check_key=criterion.check_key)

    response = client_for(cast.qm).post(url("criterion-delete", cast, criterion.pk), follow=True)

    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert "is used by the test plan" in response.content.decode()


def test_a_viewer_cannot_delete(cast):
    criterion = CriterionFactory(project=cast.project)

    response = client_for(cast.viewer).post(url("criterion-delete", cast, criterion.pk))

    assert response.status_code == 403
    assert Criterion.objects.filter(pk=criterion.pk).exists()
