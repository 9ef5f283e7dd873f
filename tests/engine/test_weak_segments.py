import numpy as np
import pytest

from apps.evaluations.engine.context import ColumnPredictions, EvaluationContext
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets

SEG_PLAN = [  # the catalogue's SEG-01 and SEG-02
    {"check": "weak_segments.discovery", "metric": "worst_slice_metric_gap",
     "comparator": "<=", "threshold": 0.1},
    {"check": "weak_segments.discovery", "metric": "weak_slice_row_share",
     "comparator": "<=", "threshold": 0.05},
]  # fmt: skip


def results(context, **params):
    plan = plan_parse([{**item, "params": params} for item in SEG_PLAN])
    return evaluate(context, plan).results


def plant_weak_slice(frame, seed=0, task="binary"):
    """The model fails on east & phone, a slice no sensitive column names (~4% of rows)."""
    rng = np.random.default_rng(seed)
    region = (frame["region"] == "east") & (frame["channel"] == "phone")
    if task == "regression":
        frame.loc[region, "prediction"] += rng.choice([-5, 5], region.sum())
        return region
    flip = region & (rng.random(len(frame)) < 0.6)
    frame.loc[flip, "prediction"] = 1 - frame.loc[flip, "prediction"]
    frame.loc[flip, "probability"] = 1 - frame.loc[flip, "probability"]
    return region


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_healthy_data_show_weak_slices_no_more_often_than_the_tests_level(task):
    """Some 300 slices per seed, corrected together at alpha 0.05: over 20 seeds of healthy
    data at most 3 seeds may show a slice by chance (Binomial(20, 0.05): P(> 3) < 2%)."""
    found = {}
    for seed in range(20):
        outcomes = results(context_for(datasets(seed, task=task), task=task))
        failed = [(r.metric, r.subject) for r in outcomes if r.outcome == "fail"]
        if failed:
            found[seed] = failed
    assert len(found) <= 3, found


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_a_weak_slice_of_two_features_is_found_and_named(task):
    data = datasets(9, task=task)
    region = plant_weak_slice(data.evaluation, task=task)

    worst, share = results(context_for(data, task=task))

    assert worst.outcome == "fail"
    assert worst.subject == "region = east & channel = phone"
    assert share.observed["weak_slice_row_share"] == pytest.approx(region.mean(), abs=0.01)
    assert set(worst.flagged_rows) == set(np.flatnonzero(region))
    top = worst.evidence["slices"][0]
    assert top["weak"] and top["rows"] == region.sum() and top["p_value"] < 0.05


def test_a_clean_dataset_of_the_same_shape_has_no_weak_slice():
    data = datasets(9)

    worst, share = results(context_for(data))

    assert (worst.outcome, share.outcome) == ("pass", "pass")
    assert worst.observed["worst_slice_metric_gap"] == 0.0


def test_a_model_without_probabilities_is_compared_with_the_rest_of_the_data():
    data = datasets(9)
    plant_weak_slice(data.evaluation)
    context = EvaluationContext(
        evaluation=data.evaluation, target="y", source=ColumnPredictions("prediction")
    )

    worst, _ = results(context)

    assert worst.evidence["compared_with"] == "overall"
    assert worst.outcome == "fail"
    assert "region = east" in worst.subject


def test_a_large_evaluation_is_searched_on_a_stated_sample():
    data = datasets(2)

    worst, _ = results(context_for(data), max_rows=1000)

    assert worst.sampling == {"method": "random labelled rows", "rows": 1000,
                              "of_rows": 2000, "seed": 0}  # fmt: skip
