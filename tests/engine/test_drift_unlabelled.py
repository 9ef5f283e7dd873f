"""Drift a production batch shows before its labels: of the predictions, and of the inputs
weighted by their importance to the model."""

from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.engine.registry import get_check
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets
from tests.engine.unlabelled import population, trained_model, unlabelled_context

PLAN = [
    {
        "criterion": "DRIFT-03",
        "check": "drift.prediction",
        "metric": "psi",
        "comparator": "<=",
        "threshold": 0.2,
    },
    {
        "criterion": "DRIFT-W",
        "check": "drift.important_inputs",
        "metric": "importance_weighted_drift",
        "comparator": "<=",
        "threshold": 0.1,
    },
]


def outcomes(context) -> dict[str, str]:
    return {r.check: r.outcome for r in evaluate(context, plan_parse(PLAN)).results}


def test_unlabelled_batches_like_the_reference_raise_no_drift_over_ten_seeds():
    model = trained_model()
    for seed in range(10):
        context = unlabelled_context(
            model, population(2000, 500 + seed), population(2000, 600 + seed)
        )
        assert set(outcomes(context).values()) == {"pass"}, seed


def test_healthy_synthetic_data_raises_no_weighted_drift_for_any_task():
    for task in ("binary", "multiclass", "regression"):
        for seed in range(5):
            assert set(outcomes(context_for(datasets(seed, task=task), task=task)).values()) == {
                "pass"
            }, (task, seed)


def test_a_shift_of_the_important_input_moves_the_predictions_and_is_flagged():
    model = trained_model()
    context = unlabelled_context(model, population(2000, 1), population(2000, 2, x1_shift=0.8))

    assert outcomes(context) == {"drift.prediction": "fail", "drift.important_inputs": "fail"}
    check = get_check("drift.important_inputs")
    [measurement] = check.run(context, check.params_with_defaults({}))
    assert measurement.evidence["top_contributors"][0] == "x1"
    importance = {row["feature"]: row["importance"] for row in measurement.evidence["features"]}
    assert importance["x1"] > 0.7 > 0.05 > importance["x3"]


def test_a_shift_of_an_input_the_model_ignores_is_not_flagged():
    """x3 moves by a whole standard deviation (column drift would flag it); the model does
    not use it, so neither its predictions nor the weighted drift move."""
    model = trained_model()
    context = unlabelled_context(model, population(2000, 1), population(2000, 2, x3_shift=1.0))

    assert outcomes(context) == {"drift.prediction": "pass", "drift.important_inputs": "pass"}
    column_drift = get_check("drift.columns")
    drifted = column_drift.run(context, column_drift.params_with_defaults({}))[-1]
    assert drifted.evidence["drifted_columns"] == ["x3"]


def test_the_weighted_drift_says_why_it_cannot_run_without_reference_data():
    model = trained_model()
    context = unlabelled_context(model, None, population(500, 3))
    check = get_check("drift.important_inputs")

    [measurement] = check.run(context, check.params_with_defaults({}))

    assert measurement.skipped == "No reference data was given to compare with."
