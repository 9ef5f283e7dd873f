import numpy as np
import pytest

from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from tests.engine.conftest import context_for
from tests.engine.estimator_source import EstimatorSource, FragileModel, fitted
from tests.engine.synthetic import datasets

CATALOGUE = [  # ROB-01..04 as the catalogue states them
    ("robustness.noise", "prediction_flip_rate", 0.05,
     {"noise_scale": 0.05, "categorical_swap_rate": 0.0, "repeats": 3}),
    ("robustness.noise", "relative_metric_drop", 0.05,
     {"noise_scale": 0.1, "categorical_swap_rate": 0.02, "repeats": 3}),
    ("robustness.ablation", "max_feature_metric_drop", 0.3, {"repeats": 3}),
    ("robustness.missing_inputs", "failure_rate", 0.0, {"missing_rate": 0.1}),
]  # fmt: skip


def model_context(data, estimator, task="binary"):
    return EvaluationContext(
        evaluation=data.evaluation,
        reference=data.reference,
        target="y",
        source=EstimatorSource(estimator),
        task=task,
    )


def plan(items=CATALOGUE, **extra):
    return plan_parse(
        [
            {"check": check, "metric": metric, "comparator": "<=", "threshold": threshold,
             "params": {**params, "max_rows": 500, **extra}}
            for check, metric, threshold, params in items
        ]
    )  # fmt: skip


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_a_robust_model_passes_over_twenty_seeds(task):
    """Noise and missing values (ROB-01, 02, 04). Ablation measures how much the model
    leans on its strongest feature, a property of the data rather than noise (score
    carries ~25% of this population's accuracy): it is tested against scikit-learn."""
    failures = {}
    robust = [item for item in CATALOGUE if item[0] != "robustness.ablation"]
    for seed in range(20):
        data = datasets(seed, rows=1000, task=task)
        context = model_context(data, fitted(data.train, task), task)
        report = evaluate(context, plan(robust, seed=seed))
        failed = [(r.check, r.subject, r.metric) for r in report.results if r.outcome == "fail"]
        assert not [r.message for r in report.results if r.outcome == "error"]
        if failed:
            failures[seed] = failed
    assert failures == {}


def test_a_feature_the_model_leans_on_too_sharply_is_named():
    data = datasets(3, rows=1000)

    report = evaluate(model_context(data, FragileModel()), plan(CATALOGUE[:1]))

    by_subject = {r.subject: r for r in report.results}
    assert by_subject[None].outcome == "fail"
    assert by_subject["score"].outcome == "fail"
    assert by_subject["score"].observed["prediction_flip_rate"] > 0.2
    assert by_subject["age"].outcome == "pass"
    curve = by_subject[None].evidence["curve"]
    flips = [point["prediction_flip_rate"] for point in curve]
    assert len(flips) == 4 and flips[0] < min(flips[1:])  # more noise, more flips
    assert by_subject[None].sampling["rows"] == 500


def test_ablation_drops_equal_scikit_learns_permutation_importance():
    from sklearn.inspection import permutation_importance

    data = datasets(8, rows=3000)
    model = fitted(data.train)
    item = [("robustness.ablation", "metric_drop", 1.0, {"repeats": 10})]

    results = evaluate(model_context(data, model), plan(item, max_rows=3000)).results

    frame = data.evaluation
    importance = permutation_importance(
        model, frame[list(model.feature_names_in_)], frame["y"], scoring="accuracy",
        n_repeats=10, random_state=0,
    )  # fmt: skip
    accuracy = model.score(frame[list(model.feature_names_in_)], frame["y"])
    expected = dict(
        zip(model.feature_names_in_, importance.importances_mean / accuracy, strict=True)
    )
    for result in results:
        assert result.observed["metric_drop"] == pytest.approx(expected[result.subject], abs=0.02)


def test_the_feature_that_carries_the_model_tops_the_ablation():
    data = datasets(4, rows=1000)

    [worst, *_] = evaluate(model_context(data, fitted(data.train)), plan(CATALOGUE[2:3])).results

    assert worst.subject == "score"
    drops = worst.evidence["metric_drop"]
    assert drops["score"] > 2 * max(drop for name, drop in drops.items() if name != "score")


def test_a_model_that_cannot_take_missing_values_fails_on_them():
    data = datasets(5, rows=600)

    [result] = evaluate(
        model_context(data, fitted(data.train, impute=False)), plan(CATALOGUE[3:])
    ).results

    assert result.outcome == "fail"
    # the numeric columns break the model; unknown categories are ignored by its encoder
    assert set(result.evidence["errors"]) == {"age", "income", "score", "tenure"}
    assert "NaN" in result.evidence["errors"]["age"]
    blanked = result.evidence["blanked_values"]
    numeric_share = sum(blanked[n] for n in ("age", "income", "score", "tenure")) / sum(
        blanked.values()
    )
    assert result.observed["failure_rate"] == pytest.approx(numeric_share)


def test_robustness_needs_a_model_not_prediction_columns():
    report = evaluate(context_for(datasets(6, rows=300)), plan())

    assert {r.outcome for r in report.results} == {"skipped"}
    assert "need a model" in report.results[0].message
    assert np.isfinite(len(report.results))


def test_blanked_rows_alone_give_the_measurements_of_the_whole_sample_blanked():
    """Only a feature's blanked rows go to the model; the others keep their outputs. The
    drops are those of predicting the whole sample with the blanks, as before."""
    data = datasets(9, rows=800)
    model = fitted(data.train)
    features = list(model.feature_names_in_)

    [result] = evaluate(model_context(data, model), plan(CATALOGUE[3:], max_rows=800)).results

    assert result.sampling is None  # every labelled row is in the sample
    frame = data.evaluation[data.evaluation["y"].notna()].reset_index(drop=True)
    truth = frame["y"].to_numpy()
    before = np.mean(model.predict(frame[features]) == truth)
    rng = np.random.default_rng(0)  # the check's seed, drawn in the features' order
    for name in features:
        chosen = rng.random(len(frame)) < 0.1
        copy = frame[features].copy()
        copy[name] = copy[name].mask(chosen)
        after = np.mean(model.predict(copy) == truth)
        assert result.evidence["blanked_values"][name] == chosen.sum()
        assert result.evidence["metric_drop"][name] == pytest.approx((before - after) / before)
