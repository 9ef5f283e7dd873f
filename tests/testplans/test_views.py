import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.testplans import services
from apps.testplans.models import PlanStatus, TestPlan
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


def plan_with_a_check(cast: ProjectCast, name: str = "Release gate") -> TestPlan:
    plan = services.test_plan_create(project=cast.project, user=cast.qm, name=name)
    criterion = CriterionFactory(project=cast.project)
    services.plan_check_add(user=None, plan=plan, criterion=criterion, params={"n_bootstrap": 100})
    return plan


# The list


def test_the_list_shows_each_plan_with_version_status_and_check_count(cast):
    plan = plan_with_a_check(cast)
    services.test_plan_approve(plan=plan, user=cast.qm)

    response = client_for(cast.viewer).get(url("plan-list", cast))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Release gate v1" in body and "Approved" in body
    assert cast.qm.username in body
    assert "Create test plan" not in body  # a viewer sees no form


def test_an_empty_list_says_so_and_offers_the_form_to_the_quality_manager(cast):
    response = client_for(cast.qm).get(url("plan-list", cast))

    body = response.content.decode()
    assert "no test plan yet" in body
    assert '<label for="id_name">Plan name</label>' in body


def test_the_list_costs_the_same_queries_for_2_or_20_plans(cast):
    client = client_for(cast.qm)
    for number in range(2):
        plan_with_a_check(cast, name=f"Plan {number}")
    with CaptureQueriesContext(connection) as few:
        client.get(url("plan-list", cast))
    for number in range(2, 20):
        plan_with_a_check(cast, name=f"Plan {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(url("plan-list", cast))

    assert len(many) == len(few)


def test_an_outsider_gets_404_on_the_list_and_a_plan(cast):
    plan = plan_with_a_check(cast)
    client = client_for(cast.outsider)

    assert client.get(url("plan-list", cast)).status_code == 404
    assert client.get(url("plan-detail", cast, plan.pk)).status_code == 404


def test_a_plan_of_another_project_is_404(cast):
    other = ProjectCast()
    plan = plan_with_a_check(other)

    response = client_for(cast.qm).get(url("plan-detail", cast, plan.pk))

    assert response.status_code == 404


# Creating


def test_creating_a_plan_opens_its_editor(cast):
    response = client_for(cast.qm).post(
        url("plan-create", cast), {"name": "Release gate", "description": "Before shipping."}
    )

    plan = TestPlan.objects.get(project=cast.project)
    assert response.status_code == 302
    assert response["Location"] == url("plan-detail", cast, plan.pk)
    assert (plan.name, plan.version, plan.status) == ("Release gate", 1, PlanStatus.DRAFT)


def test_a_duplicate_name_is_refused_inline(cast):
    plan_with_a_check(cast)

    response = client_for(cast.qm).post(url("plan-create", cast), {"name": "Release gate"})

    assert response.status_code == 400
    assert "revise it instead" in response.content.decode()
    assert TestPlan.objects.count() == 1


def test_a_missing_name_is_refused(cast):
    response = client_for(cast.qm).post(url("plan-create", cast), {"name": ""})

    assert response.status_code == 400
    assert not TestPlan.objects.exists()


@pytest.mark.parametrize("role", ["dev", "viewer", "manager"])
def test_only_who_manages_criteria_may_create_a_plan(cast, role):
    response = client_for(getattr(cast, role)).post(url("plan-create", cast), {"name": "X"})

    assert response.status_code == 403
    assert not TestPlan.objects.exists()


# The editor page, approval and revision


def test_the_editor_shows_checks_versions_and_the_approve_button(cast):
    plan = plan_with_a_check(cast)

    response = client_for(cast.qm).get(url("plan-detail", cast, plan.pk))

    body = response.content.decode()
    assert "n_bootstrap" in body
    assert "Approve plan" in body
    assert '<label for="id_check">Check</label>' in body
    assert "v1 (this one)" in body


def test_the_editor_names_checks_and_metrics_in_words_with_their_keys_on_hover(cast):
    plan = plan_with_a_check(cast)

    body = client_for(cast.qm).get(url("plan-detail", cast, plan.pk)).content.decode()

    assert 'title="key: performance.classification">Classification performance</a>' in body
    assert 'title="key: roc_auc">ROC AUC</a>' in body
    assert "<code>performance.classification</code>" not in body
    assert '<optgroup label="Calibration">' in body
    assert '<option value="calibration.classification">Probability calibration — ' in body

    chosen = client_for(cast.qm).get(url("plan-detail", cast, plan.pk), {"check": "drift.label"})

    body = chosen.content.decode()
    assert 'Label drift</a> <code class="term-key">drift.label</code></h3>' in body
    assert "(Classification performance · ROC AUC)" in body  # the criterion chooser


def test_a_developer_sees_the_plan_without_forms(cast):
    plan = plan_with_a_check(cast)

    response = client_for(cast.dev).get(url("plan-detail", cast, plan.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert "performance.classification" in body
    assert "Approve plan" not in body and "Add check" not in body


def test_the_editor_renders_in_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    plan = plan_with_a_check(cast)
    for _ in range(10):
        services.plan_check_add(
            user=None, plan=plan, criterion=CriterionFactory(project=cast.project)
        )
    client = client_for(cast.qm)

    with django_assert_max_num_queries(9):
        client.get(url("plan-detail", cast, plan.pk))


def test_approving_a_draft(cast):
    plan = plan_with_a_check(cast)

    response = client_for(cast.qm).post(url("plan-approve", cast, plan.pk), follow=True)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == cast.qm
    assert "Approved “Release gate” v1" in response.content.decode()
    assert "Revise" in response.content.decode()


def test_approving_a_plan_without_checks_is_refused_with_a_message(cast):
    plan = services.test_plan_create(project=cast.project, user=cast.qm, name="Empty")

    response = client_for(cast.qm).post(url("plan-approve", cast, plan.pk), follow=True)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert "at least one check" in response.content.decode()


@pytest.mark.parametrize("role", ["dev", "viewer"])
def test_a_developer_or_viewer_cannot_approve(cast, role):
    plan = plan_with_a_check(cast)

    response = client_for(getattr(cast, role)).post(url("plan-approve", cast, plan.pk))

    plan.refresh_from_db()
    assert response.status_code == 403
    assert plan.status == PlanStatus.DRAFT


def test_an_outsider_cannot_approve(cast):
    plan = plan_with_a_check(cast)

    response = client_for(cast.outsider).post(url("plan-approve", cast, plan.pk))

    plan.refresh_from_db()
    assert response.status_code == 404
    assert plan.status == PlanStatus.DRAFT


def test_a_get_on_approve_or_revise_changes_nothing(cast):
    plan = plan_with_a_check(cast)
    client = client_for(cast.qm)

    assert client.get(url("plan-approve", cast, plan.pk)).status_code == 405
    assert client.get(url("plan-revise", cast, plan.pk)).status_code == 405
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert TestPlan.objects.count() == 1


def test_revising_an_approved_plan_makes_the_next_draft_and_opens_it(cast):
    plan = plan_with_a_check(cast)
    services.test_plan_approve(plan=plan, user=cast.qm)

    response = client_for(cast.qm).post(url("plan-revise", cast, plan.pk))

    draft = TestPlan.objects.get(project=cast.project, version=2)
    assert response["Location"] == url("plan-detail", cast, draft.pk)
    assert draft.status == PlanStatus.DRAFT and draft.previous == plan
    assert draft.checks.count() == 1
    page = client_for(cast.qm).get(url("plan-detail", cast, draft.pk)).content.decode()
    assert "Changes since v1" in page and "Compare v1 with v2" in page


def test_an_approved_plan_shows_no_check_forms(cast):
    plan = plan_with_a_check(cast)
    services.test_plan_approve(plan=plan, user=cast.qm)

    body = client_for(cast.qm).get(url("plan-detail", cast, plan.pk)).content.decode()

    assert "Add check" not in body and "Remove" not in body
    assert "frozen at approval" in body


def test_archiving_an_approved_plan(cast):
    plan = plan_with_a_check(cast)
    services.test_plan_approve(plan=plan, user=cast.qm)

    client_for(cast.qm).post(url("plan-archive", cast, plan.pk))

    plan.refresh_from_db()
    assert plan.status == PlanStatus.ARCHIVED
