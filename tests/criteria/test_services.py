import pytest

from apps.accounts.models import OrgRole
from apps.audit.models import StatusChange
from apps.criteria.models import Criterion, CriterionTemplate
from apps.criteria.services import (
    criterion_create,
    criterion_create_from_template,
    criterion_delete,
    criterion_update,
)
from apps.testplans import models as testplans
from qualiti.errors import InvalidInput
from tests.criteria.factories import CriterionFactory
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

COPIED = ("code", "name", "category", "check_key", "metric", "comparator", "threshold")


def admin():
    """Criteria are managed by a project's quality manager or an admin (the services check)."""
    return UserFactory(org_role=OrgRole.ADMIN)


def new_criterion_values(**changes) -> dict:
    values = {
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
    return values | changes


def test_creating_from_a_template_copies_its_fields():
    template = CriterionTemplate.objects.get(code="FAIR-01")
    project = ProjectFactory()

    criterion = criterion_create_from_template(project=project, template=template, user=admin())

    criterion.refresh_from_db()
    assert criterion.project == project
    assert criterion.template == template
    for name in (*COPIED, "severity", "blocking", "params", "rationale", "guidance"):
        assert getattr(criterion, name) == getattr(template, name), name


def test_overrides_replace_the_templates_values():
    template = CriterionTemplate.objects.get(code="PERF-03")

    criterion = criterion_create_from_template(
        project=ProjectFactory(),
        template=template,
        user=admin(),
        overrides={"threshold": 0.85, "severity": "critical", "params": {"n_bootstrap": 200}},
    )

    criterion.refresh_from_db()
    assert (criterion.threshold, criterion.severity) == (0.85, "critical")
    assert criterion.params == {"n_bootstrap": 200}
    assert criterion.metric == template.metric


def test_a_criterions_params_are_its_own_copy():
    template = CriterionTemplate.objects.get(code="FAIR-01")
    criterion = criterion_create_from_template(
        project=ProjectFactory(), template=template, user=admin()
    )

    criterion_update(
        criterion=criterion, user=admin(), params={**criterion.params, "min_group_size": 5}
    )

    template.refresh_from_db()
    assert template.params["min_group_size"] == 30


def test_the_same_template_can_serve_a_project_twice_under_another_code():
    template = CriterionTemplate.objects.get(code="DRIFT-01")
    project, user = ProjectFactory(), admin()
    criterion_create_from_template(project=project, template=template, user=user)

    with pytest.raises(InvalidInput) as refused:
        criterion_create_from_template(project=project, template=template, user=user)
    criterion_create_from_template(
        project=project, template=template, user=user, overrides={"code": "DRIFT-01b"}
    )

    assert refused.value.field == "code"
    assert "DRIFT-01" in refused.value.message
    assert project.criteria.count() == 2


def test_it_creates_a_criterion_from_scratch_and_records_who_did():
    user = admin()

    criterion = criterion_create(project=ProjectFactory(), user=user, **new_criterion_values())

    assert criterion.template is None
    record = StatusChange.objects.get(object_id=criterion.pk, to_status="created")
    assert record.actor == user
    assert "PERF-X1" in record.reason


def test_an_unknown_check_key_is_refused_naming_it():
    with pytest.raises(InvalidInput) as refused:
        criterion_create(
            project=ProjectFactory(),
            user=admin(),
            **new_criterion_values(check_key="performance.magic"),
        )

    assert refused.value.field == "check_key"
    assert "performance.magic" in refused.value.message
    assert not Criterion.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"comparator": "=="}, "comparator"),
        ({"severity": "urgent"}, "severity"),
        ({"threshold": float("nan")}, "threshold"),
        ({"params": [1, 2]}, "params"),
        ({"code": ""}, "code"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(changes, field):
    with pytest.raises(InvalidInput) as refused:
        criterion_create(project=ProjectFactory(), user=admin(), **new_criterion_values(**changes))

    assert refused.value.field == field
    assert field in refused.value.message


def test_an_unknown_field_is_refused():
    with pytest.raises(InvalidInput) as refused:
        criterion_create(
            project=ProjectFactory(), user=admin(), **new_criterion_values(colour="red")
        )

    assert refused.value.field == "colour"


def test_updating_changes_the_values_and_records_the_change():
    criterion = CriterionFactory(threshold=0.75)
    user = admin()

    criterion_update(criterion=criterion, user=user, threshold=0.7, blocking=True)

    criterion.refresh_from_db()
    assert (criterion.threshold, criterion.blocking) == (0.7, True)
    record = StatusChange.objects.get(object_id=criterion.pk, to_status="updated")
    assert record.actor == user
    assert "threshold: 0.75 → 0.7" in record.reason


def test_an_update_that_changes_nothing_writes_nothing():
    criterion = CriterionFactory(threshold=0.75)

    criterion_update(criterion=criterion, user=admin(), threshold=0.75)

    assert not StatusChange.objects.filter(to_status="updated").exists()


def test_a_refused_update_leaves_the_criterion_as_stored():
    project = ProjectFactory()
    CriterionFactory(project=project, code="A-01")
    criterion = CriterionFactory(project=project, code="B-01", threshold=0.75)

    with pytest.raises(InvalidInput) as refused:
        criterion_update(criterion=criterion, user=admin(), code="A-01", threshold=0.5)

    assert refused.value.field == "code"
    assert (criterion.code, criterion.threshold) == ("B-01", 0.75)
    criterion.refresh_from_db()
    assert (criterion.code, criterion.threshold) == ("B-01", 0.75)


def test_deleting_an_unused_criterion_removes_it_and_keeps_a_record():
    criterion = CriterionFactory()
    criterion_id = criterion.pk

    criterion_delete(criterion=criterion, user=admin())

    assert not Criterion.objects.filter(pk=criterion_id).exists()
    assert StatusChange.objects.filter(object_id=criterion_id, to_status="deleted").exists()


def test_a_criterion_used_by_an_approved_plan_cannot_be_deleted():
    criterion = CriterionFactory(code="FAIR-01")
    # Imported as a module: pytest would try to collect a class named TestPlan.
    plan = testplans.TestPlan.objects.create(
        project=criterion.project,
        name="Release gate",
        version=2,
        status=testplans.PlanStatus.APPROVED,
    )
    testplans.PlanCheck.objects.create(
        plan=plan, criterion=criterion, check_key=criterion.check_key
    )

    with pytest.raises(InvalidInput) as refused:
        criterion_delete(criterion=criterion, user=admin())

    assert '"Release gate" v2 (approved)' in refused.value.message
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert not StatusChange.objects.filter(to_status="deleted").exists()


def process_values(**changes) -> dict:
    values = {
        "code": "PROC-X1",
        "name": "Intended use approved",
        "category": "governance",
        "kind": "process",
        "question": "Is the intended use documented and approved?",
        "answered_by_role": "quality_manager",
        "evidence_expected": "file_or_link",
        "validity_days": 365,
        "severity": "high",
        "rationale": "Everything else is judged against it.",
        "guidance": "Write it down and have it approved.",
    }
    return values | changes


def test_a_process_template_becomes_a_process_criterion_with_no_check():
    template = CriterionTemplate.objects.get(code="PROC-01")

    criterion = criterion_create_from_template(
        project=ProjectFactory(), template=template, user=admin()
    )

    criterion.refresh_from_db()
    assert (criterion.kind, criterion.check_key, criterion.threshold) == ("process", "", None)
    assert criterion.question == template.question
    assert criterion.validity_days == template.validity_days
    assert criterion.template_version == template.version


def test_a_process_criterion_is_made_from_scratch_with_a_named_answerer():
    project = ProjectFactory()
    person = MembershipFactory(project=project).user

    criterion = criterion_create(project=project, user=admin(), answerer=person, **process_values())

    assert (criterion.kind, criterion.answerer) == ("process", person)
    assert "answered by" in StatusChange.objects.get(object_id=criterion.pk).reason


def test_a_process_criterion_refuses_a_check_and_needs_its_question():
    project = ProjectFactory()

    with pytest.raises(InvalidInput, match="has no check key"):
        criterion_create(project=project, user=admin(), **process_values(check_key="drift.columns"))
    with pytest.raises(InvalidInput) as error:
        criterion_create(project=project, user=admin(), **process_values(question=""))
    assert error.value.field == "question"


def test_the_answerer_must_be_a_member_of_the_project():
    with pytest.raises(InvalidInput, match="member of the project") as error:
        criterion_create(
            project=ProjectFactory(), user=admin(), answerer=UserFactory(), **process_values()
        )

    assert error.value.field == "answerer"


def test_a_criterion_a_plan_checks_cannot_become_a_process_criterion():
    criterion = CriterionFactory()
    plan = testplans.TestPlan.objects.create(project=criterion.project, name="Gate")
    testplans.PlanCheck.objects.create(plan=plan, criterion=criterion, check_key="x")

    changes = process_values(check_key="", metric="", comparator="", threshold=None)
    with pytest.raises(InvalidInput, match="check of a test plan") as error:
        criterion_update(criterion=criterion, user=admin(), **changes)

    assert error.value.field == "kind"
    criterion.refresh_from_db()
    assert criterion.kind == "measured"


def test_parameters_the_check_does_not_accept_are_refused_in_words():
    template = CriterionTemplate.objects.get(code="DQ-02")
    criterion = criterion_create_from_template(
        project=ProjectFactory(), template=template, user=admin()
    )

    with pytest.raises(InvalidInput) as unknown:
        criterion_update(criterion=criterion, user=admin(), params={"bogus": 1})
    with pytest.raises(InvalidInput) as ill_typed:
        criterion_update(criterion=criterion, user=admin(), params={"columns": 42})

    assert unknown.value.field == "params"
    assert unknown.value.message.startswith("Missing values has no parameter 'bogus'.")
    assert "The parameters it accepts: " in unknown.value.message
    assert "parameter 'columns' is not valid" in ill_typed.value.message
    criterion.refresh_from_db()
    assert "bogus" not in criterion.params


@pytest.mark.parametrize(
    ("metric", "threshold", "says"),
    [
        ("balanced_accuracy", -5, "between 0 and 1"),
        ("outlier_share", 1.5, "between 0 and 1"),
        ("excess_outlier_share", -2, "between -1 and 1"),
        ("p95_latency_ms", -10, "at least 0"),
    ],
)
def test_a_threshold_its_metric_can_never_take_is_refused(metric, threshold, says):
    with pytest.raises(InvalidInput) as refused:
        criterion_create(
            project=ProjectFactory(),
            user=admin(),
            **new_criterion_values(metric=metric, threshold=threshold),
        )

    assert refused.value.field == "threshold"
    assert says in refused.value.message and "can never pass or never fail" in refused.value.message
    assert not Criterion.objects.exists()


def test_thresholds_at_the_edges_of_a_metrics_range_and_of_unbounded_metrics_are_kept():
    project = ProjectFactory()
    for code, metric, threshold in [
        ("R-1", "balanced_accuracy", 1.0),
        ("R-2", "excess_outlier_share", 0.0),
        ("R-3", "mae_skill", -5.0),  # a skill may be negative: worse than the baseline
    ]:
        criterion_create(
            project=project,
            user=admin(),
            **new_criterion_values(code=code, metric=metric, threshold=threshold),
        )

    assert Criterion.objects.filter(project=project).count() == 3
