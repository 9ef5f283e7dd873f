import pytest

from apps.audit.models import StatusChange
from apps.criteria.models import Criterion
from apps.testplans import models as plan_models
from apps.testplans import services
from apps.testplans.models import PlanStatus
from qualiti.errors import InvalidInput
from tests.criteria.factories import ProcessCriterionFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def make_criterion(project, code="FAIR-01", check_key="fairness.classification") -> Criterion:
    return Criterion.objects.create(
        project=project,
        code=code,
        name="Demographic parity",
        category="fairness",
        check_key=check_key,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.8,
        severity="high",
        params={"min_group_size": 30},
        rationale="r",
        guidance="g",
    )


@pytest.fixture
def cast():
    return ProjectCast()


@pytest.fixture
def approved_plan(cast):
    plan = services.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")
    services.plan_check_add(user=None, plan=plan, criterion=make_criterion(cast.project))
    return services.test_plan_approve(plan=plan, user=cast.qm)


def test_a_plan_starts_as_draft_version_one(cast):
    plan = services.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")

    assert (plan.version, plan.status) == (1, PlanStatus.DRAFT)


def test_a_check_takes_the_criterions_key_and_default_params(cast):
    plan = services.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")

    check = services.plan_check_add(
        user=None, plan=plan, criterion=make_criterion(cast.project), params={"bootstrap": 200}
    )

    assert check.check_key == "fairness.classification"
    assert check.params == {"min_group_size": 30, "bootstrap": 200}
    assert check.dataset_roles == ["evaluation"]


def test_an_empty_plan_cannot_be_approved(cast):
    plan = services.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")

    with pytest.raises(InvalidInput, match="at least one check"):
        services.test_plan_approve(plan=plan, user=cast.qm)


def test_approval_records_who_and_when(approved_plan, cast):
    assert approved_plan.status == PlanStatus.APPROVED
    assert approved_plan.approved_by == cast.qm
    assert approved_plan.approved_at is not None
    assert (
        StatusChange.objects.filter(object_id=approved_plan.pk, to_status="approved").count() == 1
    )


def test_an_approved_version_is_immutable(approved_plan, cast):
    with pytest.raises(InvalidInput, match="approved and cannot change; revise it"):
        services.plan_check_add(
            user=None, plan=approved_plan, criterion=make_criterion(cast.project, code="X-1")
        )

    assert approved_plan.checks.count() == 1


def test_editing_an_approved_plan_makes_the_next_version_and_keeps_the_old(approved_plan, cast):
    draft = services.test_plan_update(plan=approved_plan, user=cast.qm, description="tighter")

    approved_plan.refresh_from_db()
    assert (draft.version, draft.status, draft.description) == (2, PlanStatus.DRAFT, "tighter")
    assert draft.previous == approved_plan
    assert draft.checks.count() == 1
    assert approved_plan.status == PlanStatus.APPROVED
    assert approved_plan.description == ""


def test_revising_twice_returns_the_same_draft(approved_plan, cast):
    first = services.test_plan_revise(plan=approved_plan, user=cast.qm)
    second = services.test_plan_revise(plan=approved_plan, user=cast.qm)

    assert first == second
    assert plan_models.TestPlan.objects.count() == 2


def test_approving_the_next_version_archives_the_previous(approved_plan, cast):
    draft = services.test_plan_revise(plan=approved_plan, user=cast.qm)

    services.test_plan_approve(plan=draft, user=cast.qm)

    statuses = dict(plan_models.TestPlan.objects.values_list("version", "status"))
    assert statuses == {1: PlanStatus.ARCHIVED, 2: PlanStatus.APPROVED}


def test_at_most_one_approved_version_per_plan_is_enforced_by_the_database(approved_plan):
    with pytest.raises(Exception, match=r"one_approved_version_per_plan|UNIQUE|unique"):
        plan_models.TestPlan.objects.create(
            project=approved_plan.project, name=approved_plan.name, version=9, status="approved"
        )


def test_archiving_ends_a_plan(approved_plan, cast):
    services.test_plan_archive(plan=approved_plan, user=cast.qm, reason="replaced")

    approved_plan.refresh_from_db()
    assert approved_plan.status == PlanStatus.ARCHIVED


def test_a_check_cannot_use_another_projects_criterion(cast):
    plan = services.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")
    foreign = make_criterion(ProjectCast().project)

    with pytest.raises(InvalidInput, match="another project"):
        services.plan_check_add(user=None, plan=plan, criterion=foreign)


def test_approval_freezes_each_criterions_judgement(approved_plan):
    check = approved_plan.checks.get()
    check.criterion.threshold = 0.5
    check.criterion.save()

    check.refresh_from_db()
    assert check.criterion_snapshot["threshold"] == 0.8
    assert check.criterion_snapshot["comparator"] == ">="
    assert check.criterion_snapshot["code"] == "FAIR-01"


def test_a_process_criterion_cannot_be_a_plan_check(cast):
    plan = services.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")
    process = ProcessCriterionFactory(project=cast.project, code="PROC-01")

    with pytest.raises(InvalidInput, match="PROC-01 is a process criterion") as error:
        services.plan_check_add(user=cast.qm, plan=plan, criterion=process)

    assert error.value.field == "criterion"
    assert not plan.checks.exists()
