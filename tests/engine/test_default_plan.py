"""The default plan on healthy data and on data with planted defects."""

import pytest

from apps.evaluations.engine.defaults import default_plan
from apps.evaluations.engine.evaluation import evaluate, metric_label
from tests.engine.conftest import context_for
from tests.engine.synthetic import DEFECTS, FEATURES, datasets, plant, with_fair_group


def context(data, task="binary"):
    """The synthetic data with a sensitive column that a fair model treats alike (region
    changes the outcome itself, so its selection rates differ by design)."""
    return context_for(
        with_fair_group(data), task=task, sensitive=("sex",), features=list(FEATURES)
    )


def failures(context):
    report = evaluate(context, default_plan(context.task))
    assert not [r.message for r in report.results if r.outcome == "error"]
    return {(r.check, r.subject, r.metric) for r in report.results if r.outcome == "fail"}, report


def test_healthy_binary_data_raises_no_failure_over_twenty_seeds():
    found = {}
    for seed in range(20):
        failed, report = failures(context(datasets(seed)))
        if failed:
            found[seed] = failed
        assert report.summary()["verdict"] == "pass" or seed in found
    assert found == {}


@pytest.mark.parametrize("task", ["multiclass", "regression"])
def test_healthy_multiclass_and_regression_data_raise_no_failure(task):
    for seed in range(5):
        failed, _ = failures(context(datasets(seed, task=task), task=task))
        assert failed == set(), (seed, failed)


@pytest.mark.parametrize("defect", DEFECTS)
def test_each_planted_defect_is_reported_on_its_subject(defect):
    data, expected = plant(defect, datasets(1))

    failed, report = failures(context(data))

    assert expected <= failed
    for check, subject, metric in expected:
        [result] = [
            r for r in report.results if (r.check, r.subject, r.metric) == (check, subject, metric)
        ]
        assert result.message.startswith(metric_label(metric))
        if result.flagged_rows:
            assert max(result.flagged_rows) < len(data.evaluation)


@pytest.mark.parametrize("defect", DEFECTS)
def test_a_clean_dataset_of_the_same_shape_yields_no_failure(defect):
    data, _ = plant(defect, datasets(1), clean=True)

    failed, _ = failures(context(data))

    assert failed == set()


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_the_default_plan_judges_catalogue_criteria_as_the_catalogue_does(task):
    from apps.criteria.catalogue import TEMPLATES

    catalogue = {template["code"]: template for template in TEMPLATES}
    judged = [item for item in default_plan(task) if item.criterion]

    assert judged
    for item in judged:
        template = catalogue[item.criterion]
        assert (item.check, item.metric, item.comparator, item.threshold, item.severity) == (
            template["check_key"], template["metric"], template["comparator"],
            template["threshold"], template["severity"],
        ), item.criterion  # fmt: skip
        assert item.blocking == template["blocking"], item.criterion
