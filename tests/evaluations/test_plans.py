from apps.evaluations import engine
from apps.evaluations.services import plan_document
from apps.evaluations.services.plans import plan_needs_target
from apps.testplans import services as plan_services
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import approved_plan
from tests.findings.factories import ProjectCast


def test_it_converts_an_approved_plan_into_one_engine_item_per_check(db):
    cast = ProjectCast()
    recall = CriterionFactory(
        project=cast.project, code="PERF-09", metric="recall", threshold=0.72, blocking=True
    )
    missing = CriterionFactory(
        project=cast.project,
        code="DQ-01",
        category="data_quality",
        check_key="data_quality.missing_values",
        metric="missing_rate",
        comparator="<=",
        threshold=0.1,
        severity="medium",
    )
    plan = approved_plan(cast.project, [recall, missing], user=cast.qm)

    document = plan_document(plan)

    assert document == [
        {
            "criterion": "PERF-09",
            "check": "performance.classification",
            "params": {},
            "metric": "recall",
            "comparator": ">=",
            "threshold": 0.72,
            "severity": "high",
            "blocking": True,
        },
        {
            "criterion": "DQ-01",
            "check": "data_quality.missing_values",
            "params": {},
            "metric": "missing_rate",
            "comparator": "<=",
            "threshold": 0.1,
            "severity": "medium",
            "blocking": False,
        },
    ]
    assert [item.check for item in engine.plan_parse(document)] == [
        "performance.classification",
        "data_quality.missing_values",
    ]


def test_the_judgement_is_the_one_frozen_at_approval(db):
    cast = ProjectCast()
    criterion = CriterionFactory(project=cast.project, metric="recall", threshold=0.72)
    plan = approved_plan(cast.project, [criterion], user=cast.qm)
    criterion.threshold = 0.99
    criterion.save()

    assert plan_document(plan)[0]["threshold"] == 0.72


def test_only_plans_with_label_reading_checks_need_the_target(db):
    cast = ProjectCast()
    drift = CriterionFactory(
        project=cast.project, category="drift", check_key="drift.columns", metric="effect_size"
    )
    plan = plan_services.test_plan_create(project=cast.project, user=cast.qm, name="Drift")
    plan_services.plan_check_add(user=None, plan=plan, criterion=drift)

    assert not plan_needs_target(list(plan.checks.all()))
    performance = CriterionFactory(project=cast.project, code="P-1")
    plan_services.plan_check_add(user=None, plan=plan, criterion=performance)
    assert plan_needs_target(list(plan.checks.all()))
