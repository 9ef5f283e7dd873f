import json

import pytest

from apps.evaluations.engine.defaults import DEFAULT_PLAN, default_plan
from apps.evaluations.engine.errors import PlanError
from apps.evaluations.engine.plan import plan_load, plan_parse


def test_a_plan_item_is_validated_and_completed():
    [item] = plan_parse(
        [
            {
                "criterion": "DRIFT-01",
                "check": "drift.columns",
                "metric": "psi",
                "comparator": "<=",
                "threshold": 0.2,
                "params": {"bins": 20},
            }
        ]
    )

    assert item.metric == "psi"
    assert item.params["bins"] == 20
    assert item.params["alpha"] == 0.05
    assert (item.severity, item.blocking, item.criterion) == ("medium", False, "DRIFT-01")


def test_the_web_apps_object_shape_is_accepted_and_the_metric_defaults():
    [item] = plan_parse({"items": [{"check_key": "data_quality.duplicates"}]})

    assert item.metric == "duplicate_row_share"
    assert item.threshold is None


@pytest.mark.parametrize(
    ("item", "complaint"),
    [
        ({"check": "nope.nothing"}, "unknown check"),
        ({"check": "drift.columns", "metric": "accuracy"}, "does not produce"),
        ({"check": "drift.columns", "threshold": 1, "comparator": "=="}, "comparator"),
        ({"check": "drift.columns", "threshold": "high", "comparator": "<="}, "number"),
        ({"check": "drift.columns", "severity": "urgent"}, "severity"),
        ({"check": "drift.columns", "params": {"alpha": 2}}, "alpha"),
        ({"check": "drift.columns", "params": {"colour": 1}}, "colour"),
        ({"check": "drift.columns", "weight": 1}, "unknown keys"),
    ],
)
def test_a_bad_plan_item_is_refused_with_what_is_wrong(item, complaint):
    with pytest.raises(PlanError, match=complaint):
        plan_parse([item])


def test_a_plan_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("[{")

    with pytest.raises(PlanError, match="not valid JSON"):
        plan_load(path)


def test_a_plan_file_round_trips(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(
            [
                {
                    "check": "data_quality.duplicates",
                    "comparator": "<=",
                    "threshold": 0.01,
                    "blocking": True,
                }
            ]
        )
    )

    [item] = plan_load(path)

    assert item.blocking and item.threshold == 0.01


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_the_default_plan_judges_performance_only_relatively(task):
    plan = default_plan(task)
    performance = [item for item in plan if item.check.startswith("performance.")]

    assert performance
    for item in performance:
        assert (
            item.check in ("performance.baseline_comparison", "performance.reference_comparison")
            or item.threshold is None
        )


def test_the_default_plan_covers_the_families_of_this_issue():
    checks = {item["check"] for item in DEFAULT_PLAN}

    assert {
        "calibration.classification",
        "data_quality.train_eval_overlap",
        "data_quality.target_leakage",
        "drift.columns",
        "drift.multivariate",
    } <= checks
